package org.daig.coordinator.http;

import java.util.Map;

/** Reads the base URL Felix HTTP publishes on its runtime service ({@code osgi.http.endpoint}). */
public final class Endpoints {

    public static final String ENDPOINT = "osgi.http.endpoint";

    private Endpoints() {
    }

    /** The first endpoint without a trailing slash, or null if the runtime publishes none. */
    public static String baseUrl(Map<String, Object> runtimeProperties) {
        Object value = runtimeProperties.get(ENDPOINT);
        String first = null;
        if (value instanceof String s) {
            first = s;
        } else if (value instanceof String[] array && array.length > 0) {
            first = array[0];
        } else if (value instanceof java.util.Collection<?> c && !c.isEmpty()) {
            first = String.valueOf(c.iterator().next());
        }
        if (first == null || first.isBlank()) {
            return null;
        }
        return first.endsWith("/") ? first.substring(0, first.length() - 1) : first;
    }
}
