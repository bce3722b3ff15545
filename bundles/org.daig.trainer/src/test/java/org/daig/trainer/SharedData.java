package org.daig.trainer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** ../shared/data, with a clear skip when it is absent. */
public final class SharedData {

    private SharedData() {
    }

    public static Path file(String relative) {
        Path root = Path.of(System.getProperty("daig.shared.data", "../../../shared/data"));
        Path file = root.resolve(relative);
        assumeTrue(Files.isRegularFile(file), "../shared/data is absent (" + file.toAbsolutePath()
                + " not found): this test needs the project's shared data beside the checkout");
        return file;
    }
}
