package org.daig.coordinator.http;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Map;

/** Reads the base URL Felix HTTP publishes on its runtime service ({@code osgi.http.endpoint}), and probes a URL of it. */
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

    /** Whether a GET of the URL answers 200 now. */
    public static boolean answers(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(5000);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }
}
