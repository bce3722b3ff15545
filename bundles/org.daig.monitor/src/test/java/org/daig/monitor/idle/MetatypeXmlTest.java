package org.daig.monitor.idle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The hand-written metatype must match {@link IdlePolicyConfig}: the same ids, types and defaults
 * (the OSGi test ComponentsTest checks the same inside a framework; this finds a slip sooner).
 */
class MetatypeXmlTest {

    private static final Path XML = Path.of("OSGI-INF/metatype/org.daig.monitor.policy.xml");

    @Test
    void attributesAndDefaultsMatchTheConfigType() throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(XML.toFile());
        Element ocd = (Element) doc.getElementsByTagName("OCD").item(0);
        assertEquals(IdlePolicyConfig.PID, ocd.getAttribute("id"));
        assertEquals(IdlePolicyConfig.PID, ((Element) doc.getElementsByTagName("Designate").item(0)).getAttribute("pid"));

        Map<String, String> declared = new TreeMap<>();
        NodeList ads = ocd.getElementsByTagName("AD");
        for (int i = 0; i < ads.getLength(); i++) {
            Element ad = (Element) ads.item(i);
            declared.put(ad.getAttribute("id"), ad.getAttribute("type") + "=" + ad.getAttribute("default"));
        }
        Map<String, String> annotated = new TreeMap<>();
        for (Method method : IdlePolicyConfig.class.getDeclaredMethods()) {
            if (!Modifier.isStatic(method.getModifiers())) {
                annotated.put(method.getName(), type(method.getReturnType()) + "=" + method.getDefaultValue());
            }
        }
        assertEquals(annotated, declared);
    }

    @Test
    void theOptionsAreTheEnumConstants() throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(XML.toFile());
        assertEquals(lowerCase(IdleSettings.Mode.values()), options(doc, "mode"));
        assertEquals(lowerCase(IdleSettings.WhenIdleUnknown.values()), options(doc, "whenIdleUnknown"));
    }

    private static List<String> options(Document doc, String id) {
        NodeList ads = doc.getElementsByTagName("AD");
        for (int i = 0; i < ads.getLength(); i++) {
            Element ad = (Element) ads.item(i);
            if (ad.getAttribute("id").equals(id)) {
                List<String> values = new ArrayList<>();
                NodeList options = ad.getElementsByTagName("Option");
                for (int j = 0; j < options.getLength(); j++) {
                    Element option = (Element) options.item(j);
                    assertEquals(option.getAttribute("value"), option.getAttribute("label"));
                    values.add(option.getAttribute("value"));
                }
                return values;
            }
        }
        return fail("no AD " + id);
    }

    private static List<String> lowerCase(Enum<?>[] constants) {
        return Arrays.stream(constants).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
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
