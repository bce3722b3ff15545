package org.daig.transport.mqtt;

import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;

import org.daig.api.bus.MalformedMessageException;
import org.daig.wire.FiniteOrNull;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

/**
 * JSON encoding of bus payloads. Decoding is strict (RFC 8259 JSON only, one value) because the
 * payload comes from the network; unknown fields are ignored so newer peers can add fields.
 */
public final class JsonCodec {

    /** JSON has no NaN: a double that is not finite travels as null and comes back as NaN. */
    static final FiniteOrNull NON_FINITE_AS_NULL = new FiniteOrNull();

    /** Each record type's primitive components, looked up once: reflection on every message showed in the coordinator's profile. */
    private static final ClassValue<RecordComponent[]> PRIMITIVE_COMPONENTS = new ClassValue<>() {
        @Override
        protected RecordComponent[] computeValue(Class<?> type) {
            return java.util.Arrays.stream(type.getRecordComponents()).filter(c -> c.getType().isPrimitive()).toArray(RecordComponent[]::new);
        }
    };

    private final Gson gson = new GsonBuilder().disableHtmlEscaping().serializeNulls()
            .registerTypeAdapter(double.class, NON_FINITE_AS_NULL).registerTypeAdapter(Double.class, FiniteOrNull.boxed()).create();
    private final int maxPayloadBytes;

    public JsonCodec(int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public byte[] encode(Object message) {
        return gson.toJson(message).getBytes(StandardCharsets.UTF_8);
    }

    public <T> T decode(byte[] payload, Class<T> type) throws MalformedMessageException {
        if (payload.length == 0) {
            throw new MalformedMessageException("empty payload, expected a JSON " + type.getSimpleName());
        }
        if (payload.length > maxPayloadBytes) {
            throw new MalformedMessageException("payload of " + payload.length + " bytes exceeds the limit of "
                    + maxPayloadBytes + " bytes");
        }
        JsonElement tree = parseStrict(new String(payload, StandardCharsets.UTF_8));
        if (type.isRecord()) {
            requirePrimitiveComponents(tree, type);
        }
        try {
            T value = gson.fromJson(tree, type);
            if (value == null) {
                throw new MalformedMessageException("JSON null, expected a " + type.getSimpleName());
            }
            return value;
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new MalformedMessageException("not a valid " + type.getSimpleName() + ": " + rootMessage(e), e);
        }
    }

    private static JsonElement parseStrict(String json) throws MalformedMessageException {
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement tree = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new MalformedMessageException("trailing data after the JSON value");
            }
            return tree;
        } catch (JsonParseException | IOException e) {
            throw new MalformedMessageException("not valid JSON: " + rootMessage(e), e);
        }
    }

    /**
     * Gson would silently fill a missing number or boolean with 0/false, and read "yes" as false;
     * refuse both instead.
     */
    private static void requirePrimitiveComponents(JsonElement tree, Class<?> type) throws MalformedMessageException {
        if (!tree.isJsonObject()) {
            throw new MalformedMessageException("expected a JSON object for " + type.getSimpleName());
        }
        JsonObject object = tree.getAsJsonObject();
        for (RecordComponent component : PRIMITIVE_COMPONENTS.get(type)) {
            JsonElement value = object.get(component.getName());
            if (value != null && value.isJsonNull() && component.getType() == double.class) {
                continue; // NaN
            }
            if (value == null || value.isJsonNull()) {
                throw new MalformedMessageException("field '" + component.getName() + "' is missing in "
                        + type.getSimpleName());
            }
            boolean isBoolean = component.getType() == boolean.class;
            boolean ok = value.isJsonPrimitive() && (isBoolean ? value.getAsJsonPrimitive().isBoolean()
                    : value.getAsJsonPrimitive().isNumber());
            if (!ok) {
                throw new MalformedMessageException("field '" + component.getName() + "' of " + type.getSimpleName()
                        + " must be a " + (isBoolean ? "boolean" : "number") + ", not " + value);
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
