package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The .cfg files the products ship (features/*&#47;rootfiles/config) use only settings their
 * metatype declares, with values of the declared type: a typo there would be silently ignored
 * by ConfigAdmin and cost an operator an afternoon.
 */
class ShippedConfigTest {

    private static final Path ROOT = Path.of(System.getProperty("daig.root", "../.."));
    private static final Pattern SETTING = Pattern.compile("^#?\\s*(\\.?[A-Za-z][\\w.]*)\\s*=\\s*(.*)$");

    record Attribute(String type, List<String> options) {
    }

    @Test
    void everyShippedSettingIsDeclaredByMetatypeWithAValidValue() throws Exception {
        Map<String, Map<String, Attribute>> metatype = readMetatype();
        assertTrue(metatype.keySet().containsAll(List.of("org.daig.transport.mqtt", "org.daig.broker",
                "org.daig.coordinator", "org.daig.provider")), metatype.keySet().toString());
        List<Path> cfgFiles;
        try (Stream<Path> files = Files.walk(ROOT.resolve("features"))) {
            cfgFiles = files.filter(p -> p.toString().endsWith(".cfg") && p.toString().contains("rootfiles")).toList();
        }
        int checked = 0;
        for (Path cfg : cfgFiles) {
            String name = cfg.getFileName().toString().replaceFirst("\\.cfg$", "");
            String pid = name.contains("-") ? name.substring(0, name.indexOf('-')) : name; // factory: pid-name.cfg
            if (pid.startsWith("org.apache.felix")) {
                continue; // third-party PID, described by its own bundle
            }
            Map<String, Attribute> attributes = metatype.get(pid);
            if (attributes == null) {
                fail(cfg + ": no metatype declares PID " + pid);
            }
            for (String line : Files.readAllLines(cfg)) {
                Matcher m = SETTING.matcher(line.trim());
                if (!m.matches()) {
                    continue;
                }
                String key = m.group(1);
                String value = m.group(2).trim();
                Attribute attribute = attributes.get(key);
                if (attribute == null && key.endsWith(".target")) {
                    checked++; // a DS reference target (e.g. dataSourceFactory.target), not a metatype attribute
                    continue;
                }
                if (attribute == null && key.endsWith(".cardinality.minimum")) {
                    assertTrue(value.matches("\\d+"), cfg.getFileName() + ": " + key + " is a DS reference's minimum cardinality: " + value);
                    checked++; // e.g. leader.cardinality.minimum: a DS reference property, not a metatype attribute
                    continue;
                }
                if (attribute == null) {
                    fail(cfg.getFileName() + ": '" + key + "' is not a setting of " + pid + " (known: " + attributes.keySet() + ")");
                }
                if (!value.isEmpty() && !line.startsWith("#")) {
                    assertValid(cfg.getFileName() + ": " + key, attribute, value);
                }
                checked++;
            }
        }
        assertTrue(checked >= 10, "checked " + checked + " settings in " + cfgFiles);
    }

    private static void assertValid(String where, Attribute attribute, String value) {
        try {
            switch (attribute.type()) {
            case "Integer" -> Integer.parseInt(value);
            case "Long" -> Long.parseLong(value);
            case "Boolean" -> assertTrue(value.equals("true") || value.equals("false"), where + ": not a boolean: " + value);
            default -> {
                // String, Password
            }
            }
        } catch (NumberFormatException e) {
            fail(where + ": '" + value + "' is not a " + attribute.type());
        }
        if (!attribute.options().isEmpty()) {
            assertTrue(attribute.options().contains(value), where + ": '" + value + "' is not one of " + attribute.options());
        }
    }

    private static Map<String, Map<String, Attribute>> readMetatype() throws Exception {
        Map<String, Map<String, Attribute>> result = new HashMap<>();
        List<Path> xmls;
        try (Stream<Path> files = Files.walk(ROOT.resolve("bundles"))) {
            xmls = files.filter(p -> p.toString().contains("OSGI-INF/metatype") && p.toString().endsWith(".xml")
                    && !p.toString().contains("/target/")).toList();
        }
        for (Path xml : xmls) {
            Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile()).getDocumentElement();
            NodeList ocds = root.getElementsByTagName("OCD");
            for (int i = 0; i < ocds.getLength(); i++) {
                Element ocd = (Element) ocds.item(i);
                Map<String, Attribute> attributes = new HashMap<>();
                NodeList ads = ocd.getElementsByTagName("AD");
                for (int j = 0; j < ads.getLength(); j++) {
                    Element ad = (Element) ads.item(j);
                    List<String> options = new ArrayList<>();
                    NodeList opts = ad.getElementsByTagName("Option");
                    for (int k = 0; k < opts.getLength(); k++) {
                        options.add(((Element) opts.item(k)).getAttribute("value"));
                    }
                    attributes.put(ad.getAttribute("id"), new Attribute(ad.getAttribute("type"), options));
                }
                result.put(ocd.getAttribute("id"), attributes);
            }
        }
        assertEquals(xmls.size(), result.size(), "one OCD per metatype file");
        return result;
    }
}
