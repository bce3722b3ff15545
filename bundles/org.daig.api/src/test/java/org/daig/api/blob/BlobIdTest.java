package org.daig.api.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class BlobIdTest {

    private static final String VALID = "0123456789abcdef".repeat(4);

    @Test
    void anIdIsSixtyFourLowerCaseHexDigitsAsThePatternSays() {
        List<String> ids = Arrays.asList(VALID, VALID.toUpperCase(), VALID.substring(1), VALID + "0", VALID.replace('f', 'g'),
                VALID.substring(1) + "/", VALID.substring(1) + ":", VALID.substring(1) + "`", VALID.substring(1) + "@", "", null);
        for (String id : ids) {
            assertEquals(id != null && BlobStore.ID.matcher(id).matches(), BlobStore.isValidId(id), String.valueOf(id));
        }
        assertEquals(true, BlobStore.isValidId(VALID));
    }
}
