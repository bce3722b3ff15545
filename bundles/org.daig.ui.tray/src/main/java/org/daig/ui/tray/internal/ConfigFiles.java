package org.daig.ui.tray.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.Properties;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Changes a configuration the way the volunteer expects it to stay changed: through Configuration
 * Admin (the component picks the values up at once) and, where the configuration came from a .cfg
 * file, in that file too, so it survives a restart.
 */
public final class ConfigFiles {

    private ConfigFiles() {
    }

    /** The configuration's current values (empty when it has none). */
    public static Map<String, Object> current(ConfigurationAdmin config, String pid) throws IOException {
        Map<String, Object> values = new HashMap<>();
        Dictionary<String, Object> props = config.getConfiguration(pid, "?").getProperties();
        if (props != null) {
            for (Enumeration<String> keys = props.keys(); keys.hasMoreElements();) {
                String key = keys.nextElement();
                values.put(key, props.get(key));
            }
        }
        return values;
    }

    /** Sets these values (the others stay as they are) in Configuration Admin and in the .cfg file it came from. */
    public static void update(ConfigurationAdmin config, String pid, Map<String, ?> values) throws IOException {
        Configuration c = config.getConfiguration(pid, "?");
        Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        values.forEach(props::put);
        c.update(props);
        Object file = props.get("felix.fileinstall.filename");
        if (file != null) {
            writeCfg(Path.of(URI.create(file.toString())), props);
        }
    }

    /** A value as a .cfg file holds it (multi-valued attributes are arrays: comma-separated). */
    static String text(Object value) {
        return value instanceof Object[] a ? String.join(",", Arrays.stream(a).map(String::valueOf).toList()) : String.valueOf(value);
    }

    /** Rewrites the .cfg file with the new values (temp file, then rename: never half a file). */
    private static void writeCfg(Path file, Dictionary<String, Object> props) throws IOException {
        Properties out = new Properties();
        if (Files.exists(file)) {
            try (var in = Files.newInputStream(file)) {
                out.load(in);
            }
        }
        for (Enumeration<String> keys = props.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            if (!key.startsWith("service.") && !key.startsWith("felix.fileinstall.")) {
                out.setProperty(key, text(props.get(key)));
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream o = Files.newOutputStream(tmp)) {
            out.store(o, "written by DAIG");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
