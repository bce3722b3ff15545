package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The Debian packages' runtime (releng/packages/runtime-modules, jlink'd by packages.sh) has every
 * module whose packages a bundle of either product imports. Equinox offers the bundles the
 * packages of the runtime's modules only, so a bundle importing one of a module left out would not
 * resolve in the packages, while the same product runs on a full JDK: this finds it at build time
 * and names the bundle, the package and the module to add. Packages under {@code java.} are never
 * imported (OSGi hands them to every bundle from the boot layer), so for those (e.g. Paho's
 * {@code java.util.prefs}) the list rests on jdeps and the install test.
 */
class RuntimeModulesTest {

    private static final Path PACKAGES = Path.of(System.getProperty("daig.root", "../..")).resolve("product/target/packages");

    @Test
    void theBundledRuntimeHasEveryJdkPackageThatABundleImports() throws IOException {
        Path release = PACKAGES.resolve("runtime/release");
        assumeTrue(Files.isRegularFile(release), "no packaged runtime at " + release.toAbsolutePath()
                + " (made by product/pom.xml on Linux; -Ddaig.packages.skip=true leaves it out)");
        Set<String> modules = Files.readAllLines(release).stream()
                .filter(line -> line.startsWith("MODULES="))
                .flatMap(line -> Stream.of(line.substring("MODULES=".length()).replace("\"", "").split(" ")))
                .collect(Collectors.toSet());
        assertTrue(modules.contains("java.base"), "no MODULES line in " + release);

        // which module of this JDK (the build's, the one jlink took its modules from) holds a package
        Map<String, String> jdkPackages = new HashMap<>();
        for (ModuleReference module : ModuleFinder.ofSystem().findAll()) {
            module.descriptor().packages().forEach(p -> jdkPackages.put(p, module.descriptor().name()));
        }
        List<String> missing = new ArrayList<>();
        int imports = 0;
        for (Path plugins : List.of(ProductProcess.coordinatorHome().resolve("plugins"), ProductProcess.desktopHome().resolve("plugins"))) {
            try (Stream<Path> jars = Files.list(plugins)) {
                for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                    for (String pkg : importedPackages(jar)) {
                        String module = jdkPackages.get(pkg);
                        if (module != null) {
                            imports++;
                            if (!modules.contains(module)) {
                                missing.add(jar.getFileName() + " imports " + pkg + " of " + module);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(imports > 50, "only " + imports + " imports of JDK packages found: are the products materialized?");
        assertTrue(missing.isEmpty(), "add these modules to releng/packages/runtime-modules (optional imports count too: "
                + "the feature behind them would be missing):\n" + String.join("\n", missing));
    }

    /** The packages of a bundle's Import-Package header, optional ones included. */
    static List<String> importedPackages(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String header = manifest == null ? null : manifest.getMainAttributes().getValue("Import-Package");
            List<String> packages = new ArrayList<>();
            if (header == null) {
                return packages;
            }
            // clauses are split at commas outside quotes (version ranges such as "[1.0,2.0)" have commas)
            boolean quoted = false;
            StringBuilder clause = new StringBuilder();
            for (char c : (header + ",").toCharArray()) {
                if (c == '"') {
                    quoted = !quoted;
                }
                if (c == ',' && !quoted) {
                    // one clause may name several packages: p1;p2;version="..."
                    Stream.of(clause.toString().split(";")).map(String::strip)
                            .filter(part -> !part.isEmpty() && !part.contains("=")).forEach(packages::add);
                    clause.setLength(0);
                } else {
                    clause.append(c);
                }
            }
            return packages;
        }
    }
}
