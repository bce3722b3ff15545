package org.daig.accounts.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The hand-written metatype and the shipped .cfg match {@link AccountsConfig} (the OSGi test
 * ComponentsTest checks the metatype inside a framework too; this finds a slip sooner).
 */
class MetatypeXmlTest {

    private static final Path XML = Path.of("OSGI-INF/metatype/org.daig.accounts.xml");
    private static final Path CFG = Path.of("../../features/org.daig.coordinator.feature/rootfiles/config/org.daig.accounts.cfg");

    @Test
    void attributesAndDefaultsMatchTheConfigType() throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(XML.toFile());
        Element ocd = (Element) doc.getElementsByTagName("OCD").item(0);
        assertEquals(AccountsConfig.PID, ocd.getAttribute("id"));
        assertEquals(AccountsConfig.PID, ((Element) doc.getElementsByTagName("Designate").item(0)).getAttribute("pid"));
        Map<String, String> declared = new TreeMap<>();
        NodeList ads = ocd.getElementsByTagName("AD");
        for (int i = 0; i < ads.getLength(); i++) {
            Element ad = (Element) ads.item(i);
            declared.put(ad.getAttribute("id"), ad.getAttribute("type") + "=" + ad.getAttribute("default"));
        }
        assertEquals(annotated(), declared);
    }

    @Test
    void theShippedFileSetsEveryValueToItsDefault() throws Exception {
        Map<String, String> shipped = new TreeMap<>();
        for (String line : Files.readAllLines(CFG)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                shipped.put(line.substring(0, line.indexOf('=')).trim(), line.substring(line.indexOf('=') + 1).trim());
            }
        }
        Map<String, String> defaults = new TreeMap<>();
        annotated().forEach((key, value) -> {
            if (shipped.containsKey(key)) {
                defaults.put(key, value.substring(value.indexOf('=') + 1));
            }
        });
        assertEquals(defaults, shipped);
    }

    private static Map<String, String> annotated() {
        Map<String, String> annotated = new TreeMap<>();
        for (Method method : AccountsConfig.class.getDeclaredMethods()) {
            if (!Modifier.isStatic(method.getModifiers()) && method.getName().startsWith("_")) {
                // DS turns a leading '_' into '.', a private property; the metatype marks it a password
                annotated.put("." + method.getName().substring(1), "Password=" + method.getDefaultValue());
            } else if (!Modifier.isStatic(method.getModifiers())) {
                annotated.put(method.getName(), type(method.getReturnType()) + "=" + method.getDefaultValue());
            }
        }
        return annotated;
    }

    private static String type(Class<?> type) {
        if (type == int.class) {
            return "Integer";
        }
        if (type == boolean.class) {
            return "Boolean";
        }
        return type.getSimpleName();
    }
}
