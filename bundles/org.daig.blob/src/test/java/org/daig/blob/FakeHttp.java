package org.daig.blob;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.daig.api.account.Identity;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A request through the blob servlet without a server: headers, body, and the identity the
 * authentication filter leaves on the request; the answer recorded.
 */
final class FakeHttp {

    /** What the servlet answered. */
    static final class Answer {
        int status = 200;
        final Map<String, String> headers = new HashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        PrintWriter writer;

        String text() {
            if (writer != null) {
                writer.flush();
            }
            return body.toString(StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private FakeHttp() {
    }

    private static Object zero(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }

    /** {@code method /api/v1/blobs/{id}} with the given request headers and body, as {@code caller} (null: none). */
    static Answer send(HttpServlet servlet, String method, String id, Identity caller, Map<String, String> headers, byte[] body)
            throws Exception {
        return send(servlet, method, id, caller, headers, body, body == null ? -1 : body.length);
    }

    /**
     * As above, with a Content-Length of {@code announced}: a body shorter than that breaks off
     * where it ends, as when the uploader's connection drops (the read fails, as Jetty's does).
     */
    static Answer send(HttpServlet servlet, String method, String id, Identity caller, Map<String, String> headers, byte[] body,
            long announced) throws Exception {
        byte[] bytes = body == null ? new byte[0] : body;
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        ServletInputStream input = new ServletInputStream() {
            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b < 0 && announced > bytes.length) {
                    throw new IOException("early EOF: the connection dropped");
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n < 0 && announced > bytes.length) {
                    throw new IOException("early EOF: the connection dropped");
                }
                return n;
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
            }
        };
        Map<String, String> lower = new HashMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        long length = announced;
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                new Class<?>[] { HttpServletRequest.class }, (proxy, m, args) -> switch (m.getName()) {
                case "getMethod" -> method;
                case "getServletPath" -> "/api/v1/blobs";
                case "getPathInfo" -> "/" + id;
                case "getRequestURI" -> "/api/v1/blobs/" + id;
                case "getAttribute" -> caller != null && Identity.REQUEST_ATTRIBUTE.equals(args[0]) ? caller : null;
                case "getHeader" -> lower.get(((String) args[0]).toLowerCase(Locale.ROOT));
                case "getInputStream" -> input;
                case "getContentLengthLong" -> length;
                case "getContentLength" -> (int) length;
                case "getProtocol" -> "HTTP/1.1";
                case "getDateHeader" -> -1L;
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> zero(m.getReturnType());
                });
        Answer answer = new Answer();
        ServletOutputStream output = new ServletOutputStream() {
            @Override
            public void write(int b) {
                answer.body.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }
        };
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                new Class<?>[] { HttpServletResponse.class }, (proxy, m, args) -> {
                    switch (m.getName()) {
                    case "setStatus" -> answer.status = (Integer) args[0];
                    case "setHeader", "addHeader" -> answer.headers.put(((String) args[0]).toLowerCase(Locale.ROOT), (String) args[1]);
                    case "setContentLengthLong" -> answer.headers.put("content-length", String.valueOf(args[0]));
                    case "setContentLength" -> answer.headers.put("content-length", String.valueOf(args[0]));
                    case "getOutputStream" -> {
                        return output;
                    }
                    case "getWriter" -> {
                        if (answer.writer == null) {
                            answer.writer = new PrintWriter(new OutputStreamWriter(answer.body, StandardCharsets.UTF_8));
                        }
                        return answer.writer;
                    }
                    case "hashCode" -> {
                        return System.identityHashCode(proxy);
                    }
                    case "equals" -> {
                        return proxy == args[0];
                    }
                    default -> {
                        return zero(m.getReturnType());
                    }
                    }
                    return null;
                });
        servlet.service(request, response);
        return answer;
    }
}
