package org.daig.wire;

import java.io.IOException;

import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

/**
 * Gson adapter for doubles in DAIG's JSON: JSON has no NaN or Infinity, and DAIG uses NaN for "not
 * measured" (a loss before evaluation, an accuracy that does not apply), so a double that is not
 * finite is written as null and null reads back as NaN. Register it for {@code double.class}, and
 * {@link #boxed()} for {@code Double.class}, with {@code serializeNulls()} so the field stays in
 * the object: an optional {@code Double} (e.g. a learning rate left to the model file) that is null
 * reads back as null, not as a NaN the reader would have to tell from a number.
 */
public final class FiniteOrNull extends TypeAdapter<Double> {

    private final Double nullValue;

    /** For {@code double}: null reads as NaN. */
    public FiniteOrNull() {
        this(Double.NaN);
    }

    private FiniteOrNull(Double nullValue) {
        this.nullValue = nullValue;
    }

    /** For {@code Double}: null reads as null. */
    public static FiniteOrNull boxed() {
        return new FiniteOrNull(null);
    }

    @Override
    public void write(JsonWriter out, Double value) throws IOException {
        if (value == null || !Double.isFinite(value)) {
            out.nullValue();
        } else {
            out.value(value.doubleValue());
        }
    }

    @Override
    public Double read(JsonReader in) throws IOException {
        if (in.peek() == JsonToken.NULL) {
            in.nextNull();
            return nullValue;
        }
        return in.nextDouble();
    }
}
