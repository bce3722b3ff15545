package org.daig.product.tests;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A real S3 server as an operator would run one beside the coordinator: S3Proxy (Maven Central)
 * as a process of its own from this module's test class path, on a filesystem backend whose
 * buckets are folders, with AWS credentials. {@link #configure} points a coordinator product at it
 * as docs/operations.md ("Blobs on S3") says.
 */
final class S3Server implements AutoCloseable {

    static final String BUCKET = "daig-blobs";
    private static final String KEY = "daig-test";
    private static final String SECRET = "s3-secret-" + Long.toHexString(new SplittableRandom(5).nextLong());

    final String host;
    final int port;
    /** The bucket's folder: every object the coordinator stored is a file below it. */
    final Path bucket;
    final HostProcess process;
    /** A logback configuration that logs warnings only (S3Proxy's Jetty logs every read at DEBUG otherwise). */
    final Path logback;

    private S3Server(String host, int port, Path bucket, HostProcess process, Path logback) {
        this.host = host;
        this.port = port;
        this.bucket = bucket;
        this.process = process;
        this.logback = logback;
    }

    /** Starts S3Proxy on {@code host:port} ({@code launcher}: e.g. {@code ip netns exec <host>}, or empty); returns once it listens. */
    static S3Server start(Path dir, String host, int port, List<String> launcher) throws IOException {
        Path base = dir.resolve("s3");
        Path bucket = Files.createDirectories(base.resolve(BUCKET)); // a bucket of the filesystem backend is a folder
        Path properties = dir.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n", "s3proxy.endpoint=http://" + host + ":" + port, "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + KEY, "s3proxy.credential=" + SECRET, "jclouds.provider=filesystem-nio2",
                "jclouds.identity=local", "jclouds.credential=local", "jclouds.filesystem.basedir=" + base, ""));
        // without a configuration of its own, logback logs every read of Jetty's at DEBUG: warnings only
        Path logback = dir.resolve("logback-warn.xml");
        Files.writeString(logback, "<configuration><appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\"><encoder>"
                + "<pattern>%d %-5level %logger{20} %msg%n</pattern></encoder></appender><root level=\"WARN\"><appender-ref ref=\"OUT\"/>"
                + "</root></configuration>\n");
        List<String> command = new ArrayList<>(launcher);
        command.addAll(HostProcess.java("-Xmx384m", "-Dlogback.configurationFile=" + logback, "org.gaul.s3proxy.Main", "--properties",
                properties.toString()));
        HostProcess process = new HostProcess("S3Proxy", command);
        S3Server server = new S3Server(host, port, bucket, process, logback);
        try {
            ProductProcess.await("S3Proxy listening on " + host + ":" + port, Duration.ofSeconds(60), () -> {
                process.alive();
                try (Socket s = new Socket(host, port)) {
                    return true;
                }
            });
        } catch (RuntimeException | Error e) {
            try {
                server.close();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        return server;
    }

    /** Sets {@code store=s3} and the bucket, endpoint and credentials (the secret in a file of its data folder) in a coordinator's config. */
    void configure(ProductProcess coordinator) throws IOException {
        coordinator.set("org.daig.blob.cfg", "store", "s3");
        for (String[] kv : new String[][] { { "endpoint", "http://" + host + ":" + port }, { "region", "us-east-1" }, { "bucket", BUCKET },
                { "pathStyleAccess", "true" }, { "accessKeyId", KEY }, { "secretKeyFile", "s3-secret" }, { "keyPrefix", "daig/" } }) {
            coordinator.set("org.daig.blob.s3.cfg", kv[0], kv[1]);
        }
        GridAccounts.secretFile(coordinator.work.resolve("data"), "s3-secret", SECRET);
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
