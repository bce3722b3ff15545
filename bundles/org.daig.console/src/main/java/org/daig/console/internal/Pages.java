package org.daig.console.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.daig.api.account.Role;

/**
 * The console's two server-rendered pages: the login form, and the frame of the pages an account's
 * roles open (navigation, empty sections, static forms). The figures in the sections come from the
 * JSON API, polled by console.js with the session cookie.
 */
final class Pages {

    /** A section of the console: its anchor, its title, and the role that opens it. */
    record Section(String id, String title, Role role) {
    }

    static final List<Section> SECTIONS = List.of(
            new Section("overview", "Grid", Role.ADMIN),
            new Section("projects", "Projects", Role.ADMIN),
            new Section("providers", "Providers", Role.ADMIN),
            new Section("users", "Users", Role.ADMIN),
            new Section("audit", "Audit", Role.ADMIN),
            new Section("my-projects", "My projects", Role.REQUESTOR),
            new Section("devices", "My devices", Role.VOLUNTEER),
            new Section("credits", "Credits", Role.VOLUNTEER));

    private Pages() {
    }

    private static String head(String title) {
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + Html.text(title) + "</title>"
                + "<link rel=\"stylesheet\" href=\"/console/static/console.css\">";
    }

    /** The login form; {@code message} (may be null) says why the last try failed, {@code user} is kept in the field. */
    static String login(String formToken, String user, String message) {
        return head("DAIG console: log in") + "</head><body class=\"login\"><main id=\"main\">"
                + "<h1>DAIG coordinator</h1><form method=\"post\" action=\"/console/login\" class=\"card\">"
                + "<input type=\"hidden\" name=\"form\" value=\"" + Html.text(formToken) + "\">"
                + "<label for=\"user\">User</label><input id=\"user\" name=\"user\" autocomplete=\"username\" required autofocus value=\""
                + Html.text(user) + "\">"
                + "<label for=\"password\">Password</label>"
                + "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>"
                + (message == null ? "" : "<p class=\"error\" role=\"alert\" id=\"login-error\">" + Html.text(message) + "</p>")
                + "<button type=\"submit\">Log in</button></form>"
                + "<p class=\"hint\">The accounts are the coordinator's (<code>daig login</code> uses the same).</p></main></body></html>";
    }

    /** The sections {@code roles} open, in the order of {@link #SECTIONS}; an admin's Projects stand for My projects. */
    static List<Section> sectionsFor(Set<Role> roles) {
        List<Section> out = new ArrayList<>();
        for (Section s : SECTIONS) {
            if (roles.contains(s.role()) && !(s.id().equals("my-projects") && roles.contains(Role.ADMIN))) {
                out.add(s);
            }
        }
        return out;
    }

    /** The frame of the console for a signed-in account. */
    static String console(String user, Set<Role> roles, String csrf) {
        List<Section> sections = sectionsFor(roles);
        StringBuilder html = new StringBuilder(head("DAIG console"));
        html.append("<meta name=\"daig-csrf\" content=\"").append(Html.text(csrf)).append("\">")
                .append("<script src=\"/console/static/console.js\" defer></script></head>")
                .append("<body data-user=\"").append(Html.text(user)).append("\" data-roles=\"")
                .append(roles.stream().map(Role::id).sorted().collect(Collectors.joining(" "))).append("\">")
                .append("<a class=\"skip\" href=\"#main\">Skip to the content</a><header><span class=\"brand\">DAIG</span>")
                .append("<nav aria-label=\"Sections\"><ul>");
        for (Section s : sections) {
            html.append("<li><a href=\"#").append(s.id()).append("\" id=\"nav-").append(s.id()).append("\">").append(s.title())
                    .append("</a></li>");
        }
        html.append("</ul></nav><span class=\"who\">").append(Html.text(user)).append("</span>")
                .append("<form method=\"post\" action=\"/console/logout\"><input type=\"hidden\" name=\"csrf\" value=\"")
                .append(Html.text(csrf)).append("\"><button type=\"submit\" id=\"logout\">Log out</button></form></header>")
                .append("<main id=\"main\" tabindex=\"-1\"><p id=\"live\" class=\"live\" role=\"status\" aria-live=\"polite\"></p>");
        if (sections.isEmpty()) {
            html.append("<p>Account ").append(Html.text(user)).append(" has no role that opens a page of the console; ask the grid's admin.</p>");
        }
        for (Section s : sections) {
            html.append("<section id=\"").append(s.id()).append("\" aria-labelledby=\"h-").append(s.id()).append("\" hidden><h2 id=\"h-")
                    .append(s.id()).append("\">").append(s.title()).append("</h2>").append(forms(s.id()))
                    .append("<div class=\"view\" id=\"view-").append(s.id()).append("\"></div></section>");
        }
        return html.append("</main></body></html>").toString();
    }

    /** The static forms of a section (console.js sends them to the JSON API). */
    private static String forms(String section) {
        return switch (section) {
        case "users" -> "<form id=\"create-user\" class=\"inline\"><fieldset><legend>New account</legend>"
                + "<label>Name <input name=\"user\" required pattern=\"[A-Za-z0-9._-]{1,64}\" autocomplete=\"off\"></label>"
                + "<label>Password <input name=\"password\" type=\"password\" required minlength=\"12\" autocomplete=\"new-password\"></label>"
                + "<label><input type=\"checkbox\" name=\"roles\" value=\"requestor\"> requestor</label>"
                + "<label><input type=\"checkbox\" name=\"roles\" value=\"volunteer\"> volunteer</label>"
                + "<label><input type=\"checkbox\" name=\"roles\" value=\"admin\"> admin</label>"
                + "<button type=\"submit\">Create</button></fieldset></form>"
                + "<form id=\"enrolment-code\" class=\"inline\"><fieldset><legend>Enrolment code for a volunteer's devices</legend>"
                + "<label>Volunteer <input name=\"user\" required autocomplete=\"off\"></label>"
                + "<label>Devices <input name=\"uses\" type=\"number\" min=\"1\" max=\"1000\" value=\"1\" required></label>"
                + "<label>Valid (hours) <input name=\"validHours\" type=\"number\" min=\"1\" max=\"720\" value=\"24\" required></label>"
                + "<button type=\"submit\">Make code</button></fieldset></form><p id=\"form-result\" role=\"status\"></p>";
        case "audit" -> "<form id=\"audit-filter\" class=\"inline\"><fieldset><legend>Filter</legend>"
                + "<label>Device <input name=\"provider\" autocomplete=\"off\"></label>"
                + "<label>Verdict <input name=\"verdict\" placeholder=\"e.g. BAD_DELTA\" autocomplete=\"off\"></label>"
                + "<button type=\"submit\">Apply</button></fieldset></form>";
        default -> "";
        };
    }

    /** A short page for refusals that have no page of their own (an expired form, a missing file). */
    static String message(String title, String text) {
        return head("DAIG console: " + title) + "</head><body class=\"login\"><main id=\"main\"><h1>" + Html.text(title) + "</h1><p>"
                + Html.text(text) + "</p><p><a href=\"/console/\">Back to the console</a></p></main></body></html>";
    }
}
