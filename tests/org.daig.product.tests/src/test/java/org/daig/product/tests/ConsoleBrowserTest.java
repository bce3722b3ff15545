package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.google.gson.Gson;
import com.google.gson.JsonParser;

/**
 * Issue 19's "done when": the web console in a real browser (Debian's chromium, headless, driven by
 * Debian's chromedriver) against a real coordinator product, a real provider product (training with DL4J in its
 * worker JVM) and two simulated volunteers (two accounts) over MQTT, and one running project. An anonymous
 * visitor gets only the login page; the admin, the requestor and the volunteer each log in and see their
 * pages; the project's chart grows without a reload; a volunteer banned from the console gets no more tasks; a version downloads; an XSS payload as a
 * project name and as a device name renders as text; a cross-site POST changes nothing; under TLS
 * the session cookie is Secure (a second coordinator, with TLS on). The cases
 * share one grid and run in order (the ban and the cancel change it). Screenshots of the main pages
 * go to target/screenshots (releng/screenshots.sh copies them to docs/images).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("daig.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("daig.chromedriver", "/usr/bin/chromedriver"));
    private static final String XSS_PROJECT = "<img src=x onerror=\"window.xssFired=1\">mnist";
    private static final String XSS_DEVICE = "<script>window.xssFired=2</script>laptop";
    private static final Duration UI = Duration.ofSeconds(30);
    private static final Path TARGET = Path.of("target");
    private static final HttpClient HTTP = TestHttp.CLIENT;
    private static final Gson GSON = new Gson();

    private static Path work;
    private static ProductProcess coordinator;
    private static final List<SimulatedProvider> PROVIDERS = new ArrayList<>();
    private static ProductProcess realProvider;
    private static String realProviderId;
    private static String base;
    private static String project;
    private static String adminPassword;
    private static String adminToken;
    private static ChromeDriver driver;
    private static Path downloads;

    @BeforeAll
    static void grid() throws Exception {
        assumeTrue(Files.isExecutable(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator")),
                "The linux-x86_64 coordinator product is not materialized: run ./mvnw verify on linux-x86_64");
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "The browser test needs Debian's chromium and "
                + "chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER + "): apt-get install chromium chromium-driver (releng/prereqs.sh does)");
        work = Files.createTempDirectory(Files.createDirectories(TARGET.toAbsolutePath()), "console-");
        int[] ports = ProductsTest.freePorts(3);
        base = "http://127.0.0.1:" + ports[1];
        coordinator = ProductProcess.coordinator(work.resolve("coordinator"))
                .set("org.daig.broker.cfg", "port", ports[0])
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", "tcp://127.0.0.1:" + ports[0])
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[1])
                // simulated volunteers compute no gradient: there is nothing the coordinator could replay
                .set("org.daig.coordinator.projects.cfg", "spotCheckRate", 0).set("org.daig.coordinator.projects.cfg", "spotCheckNewDevices", 0)
                .start();
        ProjectRunTest.Inputs in = ProjectRunTest.inputs(work.resolve("inputs")); // the CLI's JVM while the coordinator starts
        coordinator.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START);
        adminPassword = coordinator.adminPassword();
        adminToken = GridAccounts.login(base, "admin", adminPassword);
        GridAccounts accounts = coordinator.accounts(base);
        String requestor = accounts.requestor();
        String model = ProjectRunTest.upload(base, requestor, in.model());
        String x = ProjectRunTest.upload(base, requestor, in.x());
        String y = ProjectRunTest.upload(base, requestor, in.y());
        // long enough to outlast the test (400 rounds of 3 tasks, three providers): the test cancels it from the console at the end
        String spec = "{\"name\":" + GSON.toJson(XSS_PROJECT) + ",\"model\":\"" + model + "\",\"x\":\"" + x + "\",\"y\":\"" + y
                + "\",\"epochs\":1,\"batchSize\":8,\"totalTasks\":6,\"taskSize\":3,\"maxContributors\":2,\"validationRate\":0.1,"
                + "\"passes\":200,\"seed\":7}";
        HttpResponse<String> created = ProjectRunTest.post(base + "/api/v1/projects", requestor, spec);
        assertEquals(201, created.statusCode(), created.body());
        project = JsonParser.parseString(created.body()).getAsJsonObject().get("id").getAsString();
        // two volunteers' accounts: a ban stops every device of the banned device's account
        // the volunteer's second device is a real provider product: it enrols with the same code and trains for real
        String[] codes = { accounts.enrolmentCode("mallory", 1), accounts.enrolmentCode(GridAccounts.VOLUNTEER, 2) };
        realProvider = ProviderRunTest.provider(work.resolve("provider"), "tcp://127.0.0.1:" + ports[0], ports[2], base)
                .set("org.daig.provider.cfg", ".enrolmentCode", codes[1]).start();
        String[] names = { "sim-a", XSS_DEVICE };
        for (int i = 0; i < 2; i++) {
            String id = i == 0 ? "sim-a" : "sim-b";
            String code = codes[i];
            HttpResponse<String> enrolled = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/devices"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(GSON.toJson(Map.of("deviceId", id,
                            "name", names[i], "code", code)))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, enrolled.statusCode(), enrolled.body());
            SimulatedProvider p = new SimulatedProvider("tcp://127.0.0.1:" + ports[0], id, 400,
                    JsonParser.parseString(enrolled.body()).getAsJsonObject().get("token").getAsString());
            PROVIDERS.add(p);
            p.start();
        }
        String status = realProvider.awaitLine("DAIG provider ready: " + ProductsTest.READY, ProductsTest.START);
        realProviderId = ProductsTest.awaitEnrolled(status, realProvider.work);
        downloads = Files.createDirectories(work.resolve("downloads"));
        driver = browser(work.resolve("chromium-profile"), downloads);
    }

    /** Headless chromium at 1280×800 with a fresh profile, downloads into {@code downloads} without asking. */
    private static ChromeDriver browser(Path profile, Path downloads) {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.setAcceptInsecureCerts(true); // the TLS case's coordinator has a certificate of its own making
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800",
                "--user-data-dir=" + profile, "--no-first-run", "--disable-extensions", "--lang=en-GB");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(), "download.prompt_for_download",
                false, "safebrowsing.enabled", false));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .withLogFile(TARGET.resolve("chromedriver.log").toFile()).build();
        ChromeDriver d = new ChromeDriver(service, options);
        d.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
        return d;
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        for (SimulatedProvider p : PROVIDERS) {
            p.close();
        }
        if (realProvider != null) {
            realProvider.close();
        }
        if (coordinator != null) {
            coordinator.close();
        }
    }

    // ---- helpers ----

    private static void until(String what, Duration timeout, Supplier<Boolean> check) {
        new WebDriverWait(driver, timeout).withMessage(() -> what + " (" + shown() + ")").ignoring(NoSuchElementException.class)
                .ignoring(StaleElementReferenceException.class).until(d -> check.get());
    }

    /** What the browser shows, for a failed wait's message: its address, title and the start of the page's text. */
    private static String shown() {
        try {
            String text = driver.findElement(By.tagName("body")).getText().replaceAll("\\s+", " ");
            return "the browser is at " + driver.getCurrentUrl() + ", title '" + driver.getTitle() + "', text '"
                    + text.substring(0, Math.min(200, text.length())) + "'";
        } catch (RuntimeException e) {
            return "the browser does not say what it shows: " + e.getMessage();
        }
    }

    private static void screenshot(String name) throws Exception {
        Path dir = Files.createDirectories(TARGET.resolve("screenshots"));
        Files.write(dir.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    private static void login(String user, String password) {
        driver.manage().deleteAllCookies();
        driver.get(base + "/console/login");
        driver.findElement(By.id("user")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        until("the console after logging in as " + user, UI, () -> driver.getCurrentUrl().endsWith("/console/")
                && !driver.findElements(By.id("logout")).isEmpty());
    }

    private static void open(String section) {
        driver.findElement(By.id("nav-" + section)).click();
        until("section " + section + " shown and drawn", UI, () -> driver.findElement(By.id(section)).isDisplayed()
                && !driver.findElement(By.id("view-" + section)).findElements(By.tagName("table")).isEmpty());
    }

    private static int lossPoints() {
        return driver.findElements(By.cssSelector("#chart-project svg .s0 circle")).size();
    }

    private static int rows(String tableId) {
        return driver.findElements(By.cssSelector("#" + tableId + " tbody tr[data-version]")).size();
    }

    private static HttpResponse<String> http(String method, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Results the coordinator accepted from this device (its reputation line, as an admin reads it). */
    private static long acceptedOf(String device) {
        try {
            for (var v : JsonParser.parseString(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/volunteers"))
                    .header("Authorization", "Bearer " + adminToken).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).getAsJsonArray()) {
                if (v.getAsJsonObject().get("providerId").getAsString().equals(device)) {
                    return v.getAsJsonObject().get("accepted").getAsLong();
                }
            }
            return 0;
        } catch (Exception e) {
            return -1;
        }
    }

    private static String projectState() throws Exception {
        return ProductsTest.json(base + "/api/v1/projects/" + project, GridAccounts.login(base, "admin", adminPassword)).get("state")
                .getAsString();
    }

    // ---- the cases ----

    @Test
    @Order(1)
    void anAnonymousVisitorSeesOnlyTheLoginPage() throws Exception {
        driver.get(base + "/");
        until("the login page", UI, () -> driver.getCurrentUrl().equals(base + "/console/login"));
        assertFalse(driver.findElements(By.id("password")).isEmpty());
        assertTrue(driver.findElements(By.tagName("nav")).isEmpty(), "no section of the console");
        screenshot("console-login");
        HttpResponse<String> page = http("GET", "/console/", Map.of());
        assertEquals(303, page.statusCode());
        assertEquals("/console/login", page.headers().firstValue("Location").orElse(""));
        for (String path : new String[] { "/api/v1/projects", "/status", "/api/status", "/metrics", "/api/v1/volunteers",
                "/api/v1/grid/history", "/api/v1/credits/leaderboard" }) {
            assertEquals(401, http("GET", path, Map.of()).statusCode(), path);
        }
        HttpResponse<String> login = http("GET", "/console/login", Map.of());
        assertEquals("DENY", login.headers().firstValue("X-Frame-Options").orElse(""));
        String csp = login.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"), csp);
    }

    @Test
    @Order(2)
    void theAdminSeesTheGridAndAnXssProjectNameStaysText() throws Exception {
        login("admin", adminPassword);
        Cookie session = driver.manage().getCookieNamed("daig-session");
        assertTrue(session.isHttpOnly(), "HttpOnly");
        assertEquals("Strict", session.getSameSite());
        until("3 providers online on the overview", UI, () -> "3".equals(driver.findElement(By.id("providers-online")).getText()));
        String cards = driver.findElement(By.id("grid-cards")).getText();
        assertTrue(cards.contains("database\nUP") && cards.contains("bus\nUP") && cards.contains("blobs\nUP"), cards);
        until("a few polls on the overview's chart", UI, () -> driver.findElements(By.cssSelector("#chart-online svg circle")).size() >= 6);
        long chartsFrom = ((Number) driver.executeScript("return Number(document.body.dataset.gridFrom);")).longValue();
        long pageOpened = ((Number) driver.executeScript("return Math.round(performance.timeOrigin);")).longValue();
        assertTrue(chartsFrom < pageOpened, "the charts start with the coordinator's history, before the page: " + chartsFrom + " vs "
                + pageOpened);
        screenshot("console-overview");

        open("projects");
        until("the project in the table", UI, () -> !driver.findElements(By.cssSelector("tr[data-project='" + project + "']")).isEmpty());
        WebElement row = driver.findElement(By.cssSelector("tr[data-project='" + project + "']"));
        assertEquals(XSS_PROJECT, row.findElements(By.tagName("td")).get(0).getText(), "the name as its characters");
        assertTrue(driver.findElements(By.cssSelector("#projects-table img, #view-projects script")).isEmpty(), "no element from the name");
        assertNull(driver.executeScript("return window.xssFired === undefined ? null : window.xssFired;"), "the payload did not run");
    }

    @Test
    @Order(3)
    void aRunningProjectsChartGrowsWithoutAReload() throws Exception {
        until("versions in the table", Duration.ofSeconds(60), () -> rows("versions-table") >= 2);
        int before = rows("versions-table");
        // a version is listed as soon as it is made and gets its point once validated: the chart is counted on its own
        int pointsBefore = lossPoints();
        Object marker = driver.executeScript("window.notReloaded = true; return 1;");
        assertEquals(1L, marker);
        until("more versions than " + before, Duration.ofSeconds(60), () -> rows("versions-table") >= before + 2);
        until("more points on the chart than " + pointsBefore, Duration.ofSeconds(60), () -> lossPoints() >= pointsBefore + 2);
        assertEquals(Boolean.TRUE, driver.executeScript("return window.notReloaded === true;"), "the same page, updated in place");
        screenshot("console-projects");
    }

    @Test
    @Order(4)
    void aVolunteerBannedFromTheConsoleGetsNoMoreTasks() throws Exception {
        SimulatedProvider a = PROVIDERS.get(0);
        SimulatedProvider b = PROVIDERS.get(1);
        until("both volunteers trained", Duration.ofSeconds(60), () -> a.accepted.get() > 0 && b.accepted.get() > 0);
        open("providers");
        until("sim-a in the providers table", UI, () -> !driver.findElements(By.cssSelector("button[aria-label='Ban sim-a']")).isEmpty());
        until("the real provider's current or past work on the page", UI,
                () -> !driver.findElements(By.cssSelector("tr[data-provider='" + realProviderId + "']")).isEmpty());
        WebElement b2 = driver.findElement(By.cssSelector("tr[data-provider='sim-b']"));
        assertTrue(b2.getText().contains(XSS_DEVICE), "the device name as its characters: " + b2.getText());
        assertTrue(driver.findElements(By.cssSelector("#providers-table script, #providers-table img")).isEmpty());
        screenshot("console-providers");
        driver.findElement(By.cssSelector("button[aria-label='Ban sim-a']")).click();
        until("sim-a told it gets no more tasks", Duration.ofSeconds(30), a.banned::get);
        until("the ban shown", UI, () -> driver.findElement(By.cssSelector("tr[data-provider='sim-a']")).getText().contains("banned"));
        int aAfterBan = a.accepted.get();
        int bAtBan = b.accepted.get();
        long realAtBan = acceptedOf(realProviderId);
        until("sim-b trained 3 more tasks", Duration.ofSeconds(60), () -> b.accepted.get() >= bAtBan + 3);
        until("the real provider trained on", Duration.ofSeconds(90), () -> acceptedOf(realProviderId) > realAtBan);
        assertTrue(a.accepted.get() <= aAfterBan + 1, "sim-a got no new task after the ban (one in flight may finish): " + aAfterBan
                + " then " + a.accepted.get());
        open("audit");
        until("the ban in the audit", UI, () -> driver.findElement(By.id("audit-table")).getText().contains("BANNED_BY_ADMIN"));
        screenshot("console-audit");
    }

    @Test
    @Order(5)
    void aCrossSitePostChangesNothing() throws Exception {
        String session = driver.manage().getCookieNamed("daig-session").getValue();
        // what a forged request could send: the cookie (if the browser sent it at all), no CSRF header
        HttpResponse<String> forged = http("POST", "/api/v1/projects/" + project + "/pause", Map.of("Cookie", "daig-session=" + session,
                "Origin", "https://evil.example"));
        assertEquals(403, forged.statusCode(), forged.body());
        // a real page of another origin (data:) that posts to the coordinator: the browser does not send the SameSite=Strict cookie
        driver.get("data:text/html,<form method=post action='" + base + "/api/v1/projects/" + project
                + "/pause'><button id=go>win a prize</button></form>");
        driver.findElement(By.id("go")).click();
        until("the post answered", UI, () -> driver.getPageSource().contains("error"));
        assertEquals("RUNNING", projectState(), "the project was not paused");
        HttpResponse<String> logout = http("POST", "/console/logout", Map.of("Cookie", "daig-session=" + session,
                "Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example"));
        assertEquals(403, logout.statusCode(), "a cross-site log-out form");
        driver.get(base + "/console/");
        until("still logged in", UI, () -> !driver.findElements(By.id("logout")).isEmpty());
    }

    @Test
    @Order(6)
    void theAdminManagesAccountsWithTheKeyboard() throws Exception {
        driver.get(base + "/console/#users");
        until("the users table", UI, () -> driver.findElement(By.id("users")).isDisplayed()
                && !driver.findElements(By.cssSelector("#users-table tr[data-user='volunteer']")).isEmpty());
        WebElement name = driver.findElement(By.cssSelector("#create-user input[name=user]"));
        name.sendKeys("carol");
        name.sendKeys(Keys.TAB, "console-tests-carol-pw");
        new Actions(driver).sendKeys(Keys.TAB, Keys.TAB, Keys.SPACE).perform(); // past "requestor" to "volunteer"
        new Actions(driver).sendKeys(Keys.TAB, Keys.TAB, Keys.ENTER).perform(); // past "admin" to Create
        until("carol in the table", UI, () -> !driver.findElements(By.cssSelector("#users-table tr[data-user='carol']")).isEmpty());
        assertTrue(driver.findElement(By.cssSelector("#users-table tr[data-user='carol']")).getText().contains("volunteer"));
        // new roles for carol, typed into the page's prompt
        driver.findElement(By.cssSelector("button[data-key='roles-carol']")).click();
        Alert prompt = new WebDriverWait(driver, UI).until(ExpectedConditions.alertIsPresent());
        prompt.sendKeys("volunteer, requestor");
        prompt.accept();
        until("carol a requestor too", UI, () -> driver.findElement(By.cssSelector("#users-table tr[data-user='carol']")).getText()
                .contains("requestor, volunteer"));
        // the only admin cannot take their own admin role away: the page says why and nothing changes
        driver.findElement(By.cssSelector("button[data-key='roles-admin']")).click();
        Alert last = new WebDriverWait(driver, UI).until(ExpectedConditions.alertIsPresent());
        last.sendKeys("requestor");
        last.accept();
        until("the refusal shown", UI, () -> driver.findElement(By.id("live")).getText().contains("last enabled admin"));
        assertTrue(driver.findElement(By.cssSelector("#users-table tr[data-user='admin']")).getText().contains("admin"));
        assertTrue(GridAccounts.login(base, "admin", adminPassword) != null, "the admin still logs in");
        WebElement codeUser = driver.findElement(By.cssSelector("#enrolment-code input[name=user]"));
        codeUser.sendKeys("carol", Keys.ENTER);
        until("an enrolment code", UI, () -> !driver.findElement(By.id("form-result")).getText().isBlank()
                && !driver.findElements(By.id("new-code")).isEmpty());
        screenshot("console-users");
    }

    @Test
    @Order(7)
    void theRequestorSeesTheirProjectAndDownloadsAVersion() throws Exception {
        login(GridAccounts.REQUESTOR, GridAccounts.passwordOf(GridAccounts.REQUESTOR));
        assertTrue(driver.findElements(By.id("nav-users")).isEmpty(), "no admin section for a requestor");
        until("the project and its versions", UI, () -> driver.findElement(By.id("my-projects")).isDisplayed() && rows("versions-table") >= 1);
        screenshot("console-requestor");
        driver.findElement(By.cssSelector("#versions-table tr[data-version='1'] a[data-format='h5']")).click();
        until("the download of version 1", Duration.ofSeconds(30), () -> {
            try (Stream<Path> files = Files.list(downloads)) {
                return files.anyMatch(f -> f.toString().endsWith(".h5"));
            } catch (Exception e) {
                return false;
            }
        });
        Path h5;
        try (Stream<Path> files = Files.list(downloads)) {
            h5 = files.filter(f -> f.toString().endsWith(".h5")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(h5);
        assertEquals("\u0089HDF", new String(bytes, 0, 4, StandardCharsets.ISO_8859_1), "a Keras .h5: " + h5);

        // a phone-width window: the same page, the tables scroll inside their boxes
        driver.manage().window().setSize(new Dimension(390, 844));
        until("drawn at phone width", UI, () -> driver.findElement(By.id("projects-table")).isDisplayed());
        Object overflow = driver.executeScript("return document.documentElement.scrollWidth <= window.innerWidth + 1;");
        assertEquals(Boolean.TRUE, overflow, "no sideways scrolling of the whole page");
        screenshot("console-phone");
        driver.manage().window().setSize(new Dimension(1280, 800));
    }

    @Test
    @Order(8)
    void theVolunteerSeesTheirDevicesAndCredits() throws Exception {
        login(GridAccounts.VOLUNTEER, GridAccounts.passwordOf(GridAccounts.VOLUNTEER));
        until("the devices", UI, () -> driver.findElement(By.id("devices")).isDisplayed()
                && driver.findElement(By.id("devices-table")).getText().contains("sim-b"));
        assertFalse(driver.findElement(By.id("devices-table")).getText().contains("sim-a"), "another account's device");
        assertTrue(driver.findElement(By.id("devices-table")).getText().contains(realProviderId), "the real provider, the same account");
        assertTrue(driver.findElement(By.id("devices-table")).getText().contains(XSS_DEVICE), "the device name as its characters");
        assertNull(driver.executeScript("return window.xssFired === undefined ? null : window.xssFired;"), "the payload did not run");
        open("credits");
        until("credits", UI, () -> driver.findElement(By.id("credits-total")).getText().startsWith("Total: "));
        assertTrue(driver.findElement(By.id("credits-table")).getText().contains("sim-b"));
        assertFalse(driver.findElement(By.id("credits-table")).getText().contains("sim-a"), "another account's device");
        String recent = driver.findElement(By.id("recent-table")).getText();
        assertTrue(recent.contains(project) && recent.contains("sim-b") && recent.contains(realProviderId) && !recent.contains("sim-a"), recent);
        // the leaderboard by account: mallory's sim-a worked too; opting out leaves the public list, not the rank
        until("the leaderboard", UI, () -> driver.findElement(By.id("leaderboard-table")).getText().contains(GridAccounts.VOLUNTEER + " (you)")
                && driver.findElement(By.id("leaderboard-table")).getText().contains("mallory"));
        assertTrue(driver.findElement(By.id("leaderboard-rank")).getText().startsWith("Your rank: "));
        screenshot("console-volunteer");
        clickListing();
        until("kept off the public list", UI, () -> driver.findElement(By.id("leaderboard-rank")).getText().contains("kept off")
                && !driver.findElement(By.id("leaderboard-table")).getText().contains("(you)"));
        String publicList = ProductsTest.json(base + "/api/v1/credits/leaderboard", GridAccounts.login(base, "admin", adminPassword))
                .getAsJsonArray("entries").toString();
        assertFalse(publicList.contains("\"" + GridAccounts.VOLUNTEER + "\""), "not on an admin's public list either: " + publicList);
        assertTrue(publicList.contains("\"mallory\""), publicList);
        clickListing();
        until("listed again", UI, () -> driver.findElement(By.id("leaderboard-table")).getText().contains(GridAccounts.VOLUNTEER + " (you)"));
    }

    /**
     * The credits section is drawn again at every poll, its buttons with it: a button found just
     * before a redraw is gone when it is clicked (stale), and is then found again and clicked.
     */
    private void clickListing() {
        until("the leaderboard listing button clicked", UI, () -> {
            driver.findElement(By.cssSelector("button[data-key='listing']")).click();
            return true;
        });
    }

    @Test
    @Order(9)
    void theAdminCancelsTheProjectAndFailedLoginsAreRateLimited() throws Exception {
        login("admin", adminPassword);
        open("projects");
        until("the cancel button", UI, () -> !driver.findElements(By.cssSelector("button[data-key='cancel-" + project + "']")).isEmpty());
        driver.findElement(By.cssSelector("button[data-key='cancel-" + project + "']")).click();
        until("the project cancelled", UI, () -> {
            try {
                return projectState().equals("CANCELLED");
            } catch (Exception e) {
                return false;
            }
        });
        // it locks this address out of logging in to this coordinator for a while (the TLS case has its own)
        int status = 0;
        for (int i = 0; i < 30 && status != 429; i++) {
            HttpResponse<String> form = http("GET", "/console/login", Map.of());
            String cookie = form.headers().allValues("Set-Cookie").get(0).split(";")[0];
            String token = cookie.substring(cookie.indexOf('=') + 1);
            HttpResponse<String> tried = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/console/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", cookie)
                    .POST(HttpRequest.BodyPublishers.ofString("user=admin&password=" + URLEncoder.encode("wrong " + i, StandardCharsets.UTF_8)
                            + "&form=" + token)).build(), HttpResponse.BodyHandlers.ofString());
            status = tried.statusCode();
            assertTrue(status == 401 || status == 429, tried.statusCode() + " " + tried.body());
        }
        assertEquals(429, status, "failed logins are rate-limited");
    }

    @Test
    @Order(10)
    void underTlsTheSessionCookieIsSecure() throws Exception {
        int[] ports = ProductsTest.freePorts(3);
        String https = "https://127.0.0.1:" + ports[1];
        try (ProductProcess tls = ProductProcess.coordinator(work.resolve("coordinator-tls")).adminPassword("console-tests-tls-admin")
                .set("org.daig.broker.cfg", "port", ports[0])
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", "tcp://127.0.0.1:" + ports[0])
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[1])
                .set("org.daig.tls.cfg", "mode", "on").set("org.daig.broker.cfg", "tlsPort", ports[2]).start()) {
            assertEquals(https + "/api/status", tls.awaitLine("DAIG coordinator ready: status at (\\S+)", ProductsTest.START));
            // at the ready line the console is served: its address alone leads to the login page (the ready line waits for it)
            TestHttp.trust(tls.work.resolve("data/tls/ca.pem"));
            HttpResponse<String> root = HTTP.send(HttpRequest.newBuilder(URI.create(https + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, root.statusCode(), "GET / at the ready line");
            assertEquals("/console/", root.headers().firstValue("Location").orElse(""));
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(https + "/console/login")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "GET /console/login at the ready line");
            // the browser accepts the coordinator's own certificate (acceptInsecureCerts): an operator would pin or install its CA
            driver.manage().deleteAllCookies();
            driver.get(https + "/");
            until("the login page over https", UI, () -> driver.getCurrentUrl().equals(https + "/console/login"));
            driver.findElement(By.id("user")).sendKeys("admin");
            driver.findElement(By.id("password")).sendKeys("console-tests-tls-admin");
            driver.findElement(By.cssSelector("button[type=submit]")).click();
            until("the console over https", UI, () -> !driver.findElements(By.id("logout")).isEmpty());
            Cookie session = driver.manage().getCookieNamed("daig-session");
            assertTrue(session.isSecure(), "Secure under TLS");
            assertTrue(session.isHttpOnly());
            assertEquals("Strict", session.getSameSite());
        }
    }
}
