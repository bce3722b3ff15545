package org.daig.coordinator.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The hand-written metatype must match {@link AccessConfig} (ids, types, defaults), and the
 * limits' defaults in code must be the configuration's (the OSGi test ComponentsTest checks the
 * metatype inside a framework too; this finds a slip sooner).
 */
class AccessConfigXmlTest {

    private static final Path XML = Path.of("OSGI-INF/metatype/org.daig.coordinator.access.xml");

    @Test
    void attributesAndDefaultsMatchTheConfigType() throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(XML.toFile());
        Element ocd = (Element) doc.getElementsByTagName("OCD").item(0);
        assertEquals(AccessConfig.PID, ocd.getAttribute("id"));
        assertEquals(AccessConfig.PID, ((Element) doc.getElementsByTagName("Designate").item(0)).getAttribute("pid"));
        Map<String, String> declared = new TreeMap<>();
        NodeList ads = ocd.getElementsByTagName("AD");
        for (int i = 0; i < ads.getLength(); i++) {
            Element ad = (Element) ads.item(i);
            declared.put(ad.getAttribute("id"), ad.getAttribute("type") + "=" + ad.getAttribute("default"));
        }
        Map<String, String> annotated = new TreeMap<>();
        for (Method method : AccessConfig.class.getDeclaredMethods()) {
            Class<?> type = method.getReturnType();
            String name = type == int.class ? "Integer" : type == long.class ? "Long" : type == boolean.class ? "Boolean" : type.getSimpleName();
            annotated.put(method.getName(), name + "=" + method.getDefaultValue());
        }
        assertEquals(annotated, declared);
    }

    @Test
    void theLimitsDefaultsAreTheConfigurationsDefaults() throws Exception {
        CoordinatorBlobAccess.Limits defaults = CoordinatorBlobAccess.Limits.DEFAULTS;
        assertEquals(AccessConfig.class.getMethod("uploadQuotaBytes").getDefaultValue(), defaults.quotaBytes());
        assertEquals(AccessConfig.class.getMethod("maxUploadBytes").getDefaultValue(), defaults.maxUploadBytes());
        assertEquals(AccessConfig.class.getMethod("uploadsPerLease").getDefaultValue(), defaults.uploadsPerLease());
    }
}
