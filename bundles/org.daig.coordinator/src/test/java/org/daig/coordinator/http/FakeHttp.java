package org.daig.coordinator.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
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
 * A request through a servlet without a server: the request as the servlet whiteboard hands it
 * over (servlet path, path info, and the identity the authentication filter left), the answer
 * recorded.
 */
final class FakeHttp {

    /** What the servlet answered. */
    static final class Answer {
        int status = 200;
        final Map<String, String> headers = new HashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private PrintWriter writer;

        String text() {
            if (writer != null) {
                writer.flush();
            }
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    private FakeHttp() {
    }

    /** What an unneeded method answers: nothing, false or 0. */
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

    /** Sends {@code method servletPath + pathInfo} with {@code caller} (null: none) and a body to the servlet. */
    static Answer send(HttpServlet servlet, String method, String servletPath, String pathInfo, Identity caller, String body,
            Map<String, String> parameters) throws Exception {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        Map<String, Object> attributes = new HashMap<>();
        if (caller != null) {
            attributes.put(Identity.REQUEST_ATTRIBUTE, caller);
        }
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        ServletInputStream input = new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
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
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                new Class<?>[] { HttpServletRequest.class }, (proxy, m, args) -> switch (m.getName()) {
                case "getMethod" -> method;
                case "getServletPath" -> servletPath;
                case "getPathInfo" -> pathInfo;
                case "getRequestURI" -> servletPath + (pathInfo == null ? "" : pathInfo);
                case "getAttribute" -> attributes.get((String) args[0]);
                case "getParameter" -> parameters.get((String) args[0]);
                case "getInputStream" -> input;
                case "getContentLengthLong" -> (long) bytes.length;
                case "getContentLength" -> bytes.length;
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
                    case "setHeader", "addHeader" -> answer.headers.put(((String) args[0]).toLowerCase(java.util.Locale.ROOT),
                            (String) args[1]);
                    case "getOutputStream" -> {
                        return output;
                    }
                    case "getWriter" -> {
                        if (answer.writer == null) {
                            answer.writer = new PrintWriter(new OutputStreamWriter(answer.body, StandardCharsets.UTF_8));
                        }
                        return answer.writer;
                    }
                    case "isCommitted" -> {
                        return false;
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
