package org.daig.console.internal;

import org.osgi.service.component.annotations.Component;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code GET /} (the empty pattern is the root alone): to the console, so the address alone opens it. */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=",
        "osgi.http.whiteboard.servlet.name=daig-console-root",
        // org.daig.runtime's "DAIG coordinator ready" line waits until this answers: a browser opened at it finds the console
        "daig.ready.with=coordinator" })
public class RootRedirect extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        Headers.secure(response);
        response.setStatus(303);
        response.setHeader("Location", "/console/");
    }
}
