package org.daig.blob.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** The hand-written metatype must match {@link S3StoreConfig}: ids, types and defaults (ComponentsTest checks it in a framework too). */
class MetatypeXmlTest {

    @Test
    void attributesAndDefaultsMatchTheConfigType() throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(Path.of("OSGI-INF/metatype/org.daig.blob.s3.xml").toFile());
        Element ocd = (Element) doc.getElementsByTagName("OCD").item(0);
        assertEquals(S3StoreConfig.PID, ocd.getAttribute("id"));
        assertEquals(S3StoreConfig.PID, ((Element) doc.getElementsByTagName("Designate").item(0)).getAttribute("pid"));
        Map<String, String> declared = new TreeMap<>();
        NodeList ads = ocd.getElementsByTagName("AD");
        for (int i = 0; i < ads.getLength(); i++) {
            Element ad = (Element) ads.item(i);
            declared.put(ad.getAttribute("id"), ad.getAttribute("type") + "=" + ad.getAttribute("default"));
        }
        Map<String, String> annotated = new TreeMap<>();
        for (Method method : S3StoreConfig.class.getDeclaredMethods()) {
            if (!Modifier.isStatic(method.getModifiers())) {
                boolean secret = method.getName().startsWith("_"); // DS maps a leading "_" to "." (a private property)
                String id = secret ? "." + method.getName().substring(1) : method.getName();
                Class<?> type = method.getReturnType();
                String typeName = secret ? "Password" : type == long.class ? "Long" : type == boolean.class ? "Boolean" : type.getSimpleName();
                annotated.put(id, typeName + "=" + method.getDefaultValue());
            }
        }
        assertEquals(annotated, declared);
    }
}
