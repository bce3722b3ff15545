package org.daig.coordinator.service;

import java.nio.file.Path;

/** Model files of a project's versions, for download. */
public interface ModelExports {

    /**
     * A model file of version {@code version} (-1: newest) as "model" (the uploaded format), "keras"
     * (Keras 3), "zip" (DL4J), "h5" (Keras) or
     * "npy" (the parameters). Throws IllegalArgumentException for another format and
     * IllegalStateException for an unknown project or version.
     */
    Path export(String id, int version, String format) throws Exception;
}
