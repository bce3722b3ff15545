package org.daig.blob.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The jars the build copies into lib/ (pom.xml) are exactly those the manifest puts on the bundle's class path. */
class SdkJarsTest {

    @Test
    void everyEmbeddedJarIsOnTheBundleClassPath() throws Exception {
        Manifest manifest;
        try (InputStream in = Files.newInputStream(Path.of("META-INF/MANIFEST.MF"))) {
            manifest = new Manifest(in);
        }
        TreeSet<String> classPath = new TreeSet<>(Arrays.stream(manifest.getMainAttributes().getValue("Bundle-ClassPath").split(","))
                .map(String::strip).filter(e -> !e.equals(".")).toList());
        TreeSet<String> copied;
        try (Stream<Path> jars = Files.list(Path.of("lib"))) {
            copied = new TreeSet<>(jars.map(j -> "lib/" + j.getFileName()).toList());
        }
        assertEquals(copied, classPath);
    }
}
