package org.daig.blob.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the two configurations; every refusal names its setting. No S3 server needed. */
class S3SettingsTest {

    @TempDir
    Path data;

    /** The config type as DS would make it: these values, else the annotation's defaults. */
    static S3StoreConfig config(Map<String, Object> values) {
        return (S3StoreConfig) Proxy.newProxyInstance(S3StoreConfig.class.getClassLoader(), new Class<?>[] { S3StoreConfig.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return S3StoreConfig.class;
                    }
                    return values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
                });
    }

    private IllegalArgumentException refused(Map<String, Object> values, Map<String, Object> blob) {
        return assertThrows(IllegalArgumentException.class, () -> S3Settings.from(config(values), blob, data.toString()));
    }

    @Test
    void aMinimalConfigurationGivesTheDefaults() {
        S3Settings settings = S3Settings.from(config(Map.of("bucket", "grid", "endpoint", "http://minio:9000", "pathStyleAccess", true,
                "accessKeyId", "key", "_secretKey", "secret")), Map.of("store", "s3"), data.toString());
        assertEquals(URI.create("http://minio:9000"), settings.endpoint());
        assertEquals("grid", settings.bucket());
        assertEquals("daig/", settings.prefix());
        assertEquals(8L << 20, settings.partSize());
        assertEquals(data.resolve("blob-cache"), settings.localDir());
        assertEquals(68719476736L, settings.maxBlobBytes(), "the blob store's own limit");
        assertEquals(Duration.ofHours(24), settings.abandonAfter());
        assertTrue(settings.pathStyle());
        assertTrue(!settings.toString().contains("secret"), "the secret never shows: " + settings);
    }

    @Test
    void theSecretIsReadFromAFileInTheDataFolder() throws Exception {
        Files.writeString(data.resolve("s3-secret"), "from-the-file\n");
        S3Settings settings = S3Settings.from(config(Map.of("bucket", "b", "accessKeyId", "k", "_secretKey", "ignored", "secretKeyFile",
                "s3-secret")), Map.of(), data.toString());
        assertEquals("from-the-file", settings.secretKey());
        IllegalArgumentException missing = refused(Map.of("bucket", "b", "accessKeyId", "k", "secretKeyFile", "nope"), Map.of());
        assertTrue(missing.getMessage().contains("secretKeyFile in org.daig.blob.s3") && missing.getMessage().contains("nope"),
                missing.getMessage());
    }

    @Test
    void theSdkDefaultChainIsUsedWithoutAnAccessKeyId() {
        S3Settings settings = S3Settings.from(config(Map.of("bucket", "b")), Map.of(), data.toString());
        assertEquals("", settings.accessKeyId());
        assertNull(settings.endpoint(), "AWS's own endpoint");
    }

    @Test
    void wrongSettingsAreNamed() {
        assertTrue(refused(Map.of(), Map.of()).getMessage().startsWith("bucket in org.daig.blob.s3 is empty"));
        assertTrue(refused(Map.of("bucket", "b", "partSizeBytes", 1_000_000L), Map.of()).getMessage()
                .startsWith("partSizeBytes in org.daig.blob.s3 is 1000000"));
        Map<String, Object> huge = new HashMap<>(Map.of("maxBlobBytes", 1L << 40));
        assertTrue(refused(Map.of("bucket", "b"), huge).getMessage().contains("raise partSizeBytes to at least"));
        assertTrue(refused(Map.of("bucket", "b", "endpoint", "minio:9000"), Map.of()).getMessage().startsWith("endpoint in org.daig.blob.s3"));
        assertTrue(refused(Map.of("bucket", "b", "accessKeyId", "k"), Map.of()).getMessage().contains("no secret key"));
        assertTrue(refused(Map.of("bucket", "b", "checksums", "always"), Map.of()).getMessage().startsWith("checksums in org.daig.blob.s3"));
        assertTrue(refused(Map.of("bucket", "b"), Map.of("maxBlobBytes", "lots")).getMessage().startsWith("maxBlobBytes in org.daig.blob"));
    }

    @Test
    void theFileStoreIsChosenUnlessTheBlobStoreSaysS3() {
        assertEquals("file", S3Settings.chosenStore(Map.of()));
        assertEquals("s3", S3Settings.chosenStore(Map.of("store", " S3 ")));
    }

    @Test
    void theConfigTypeIsAnAnnotation() {
        assertTrue(Annotation.class.isAssignableFrom(S3StoreConfig.class));
    }
}
