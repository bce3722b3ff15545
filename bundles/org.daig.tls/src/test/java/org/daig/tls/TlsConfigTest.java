package org.daig.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The hand-written metatype matches {@link TlsConfig}, and "auto" turns TLS on exactly beyond loopback. */
class TlsConfigTest {

    @Test
    void metatypeMatchesTheConfigType() throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("OSGI-INF/metatype/org.daig.tls.xml").toFile());
        Element ocd = (Element) doc.getElementsByTagName("OCD").item(0);
        assertEquals(TlsConfig.PID, ocd.getAttribute("id"));
        Map<String, String> declared = new TreeMap<>();
        NodeList ads = ocd.getElementsByTagName("AD");
        for (int i = 0; i < ads.getLength(); i++) {
            Element ad = (Element) ads.item(i);
            declared.put(ad.getAttribute("id"), ad.getAttribute("type") + "=" + ad.getAttribute("default"));
        }
        Map<String, String> annotated = new TreeMap<>();
        for (Method method : TlsConfig.class.getDeclaredMethods()) {
            if (!Modifier.isStatic(method.getModifiers())) {
                Object value = method.getDefaultValue();
                annotated.put(method.getName(), "String=" + (value instanceof String s ? s : ""));
            }
        }
        assertEquals(annotated, declared);
    }

    @Test
    void autoMeansTlsBeyondLoopback() {
        assertFalse(CoordinatorTls.wanted("auto", "127.0.0.1"));
        assertFalse(CoordinatorTls.wanted("auto", "localhost"));
        assertFalse(CoordinatorTls.wanted("auto", "::1"));
        assertTrue(CoordinatorTls.wanted("auto", "0.0.0.0"), "every interface");
        assertTrue(CoordinatorTls.wanted("auto", null), "Jetty's default is every interface");
        assertTrue(CoordinatorTls.wanted("auto", "192.168.1.20"));
        assertTrue(CoordinatorTls.wanted("auto", "grid.example.org"));
        assertTrue(CoordinatorTls.wanted("on", "127.0.0.1"));
        assertFalse(CoordinatorTls.wanted("off", "0.0.0.0"));
    }
}
