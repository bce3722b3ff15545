package org.daig.trainer.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.daig.trainer.TrainerException;

/**
 * Arrays from a NumPy .npz (a zip of .npy files, as numpy.savez writes it). An array is named as
 * {@code data.npz#x_train}; a file holding a single array may be named without it. The member is
 * extracted once next to a cache folder and then read like any .npy (memory-mapped).
 */
public final class NpzArchive {

    private NpzArchive() {
    }

    /**
     * Opens a .npy, or an array of a .npz ({@code archive.npz[#name]}), extracting into the
     * folder named by the system property {@code daig.npz.cache} (default: a daig-npz folder in
     * the temp folder).
     */
    public static NpyArray openAny(Path spec) throws TrainerException {
        String cache = System.getProperty("daig.npz.cache");
        return open(spec.toString(), cache != null ? Path.of(cache) : Path.of(System.getProperty("java.io.tmpdir"), "daig-npz"));
    }

    /** Opens {@code path} as .npy, or as {@code archive.npz[#name]}. */
    public static NpyArray open(String path, Path cacheDir) throws TrainerException {
        int hash = path.lastIndexOf('#');
        String file = hash >= 0 ? path.substring(0, hash) : path;
        if (!file.endsWith(".npz")) {
            return NpyArray.open(Path.of(path));
        }
        String name = hash >= 0 ? path.substring(hash + 1) : null;
        return NpyArray.open(extract(Path.of(file), name, cacheDir));
    }

    static Path extract(Path archive, String name, Path cacheDir) throws TrainerException {
        if (!Files.isRegularFile(archive)) {
            throw new TrainerException(archive + ": no such file");
        }
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            List<String> arrays = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                String entry = e.nextElement().getName();
                if (entry.endsWith(".npy")) {
                    arrays.add(entry.substring(0, entry.length() - 4));
                }
            }
            String chosen = name;
            if (chosen == null) {
                if (arrays.size() != 1) {
                    throw new TrainerException(archive + ": holds " + arrays.size() + " arrays " + arrays
                            + "; name one, e.g. " + archive.getFileName() + "#" + (arrays.isEmpty() ? "x" : arrays.get(0)));
                }
                chosen = arrays.get(0);
            }
            ZipEntry entry = zip.getEntry(chosen + ".npy");
            if (entry == null) {
                throw new TrainerException(archive + ": has no array '" + chosen + "' (it has " + arrays + ")");
            }
            Files.createDirectories(cacheDir);
            Path target = cacheDir.resolve(archive.getFileName() + "." + Long.toHexString(Files.getLastModifiedTime(archive).toMillis())
                    + "." + chosen.replaceAll("[^A-Za-z0-9_.-]", "_") + ".npy");
            if (!Files.isRegularFile(target)) {
                Path temp = Files.createTempFile(cacheDir, "npz", ".tmp");
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new TrainerException(archive + ": cannot be read as .npz (" + e.getMessage()
                    + "); save arrays with numpy.savez(path, x=..., y=...)", e);
        }
    }
}
