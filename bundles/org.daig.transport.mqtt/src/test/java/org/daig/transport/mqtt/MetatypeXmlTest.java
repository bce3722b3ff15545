package org.daig.transport.mqtt;

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

/**
 * The hand-written metatype must match {@link MqttBusConfig}: the same ids, types and defaults
 * (the OSGi test ComponentsTest checks the same inside a framework; this finds a slip sooner).
 */
class MetatypeXmlTest {

    private static final Path XML = Path.of("OSGI-INF/metatype/org.daig.transport.mqtt.xml");

    @Test
    void attributesAndDefaultsMatchTheConfigType() throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(XML.toFile());
        Element ocd = (Element) doc.getElementsByTagName("OCD").item(0);
        assertEquals(MqttBusConfig.PID, ocd.getAttribute("id"));
        assertEquals(MqttBusConfig.PID, ((Element) doc.getElementsByTagName("Designate").item(0)).getAttribute("factoryPid"));

        Map<String, String> declared = new TreeMap<>();
        NodeList ads = ocd.getElementsByTagName("AD");
        for (int i = 0; i < ads.getLength(); i++) {
            Element ad = (Element) ads.item(i);
            declared.put(ad.getAttribute("id"), ad.getAttribute("type") + "=" + ad.getAttribute("default"));
        }
        Map<String, String> annotated = new TreeMap<>();
        for (Method method : MqttBusConfig.class.getDeclaredMethods()) {
            if (!Modifier.isStatic(method.getModifiers())) {
                // DS maps a leading "_" to "." (a private property); such a secret is typed Password
                boolean secret = method.getName().startsWith("_");
                String id = secret ? "." + method.getName().substring(1) : method.getName();
                annotated.put(id, (secret ? "Password" : type(method.getReturnType())) + "=" + method.getDefaultValue());
            }
        }
        assertEquals(annotated, declared);
    }

    private static String type(Class<?> type) {
        if (type == int.class) {
            return "Integer";
        }
        if (type == long.class) {
            return "Long";
        }
        if (type == boolean.class) {
            return "Boolean";
        }
        return type.getSimpleName();
    }
}
