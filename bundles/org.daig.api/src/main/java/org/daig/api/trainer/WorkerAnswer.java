package org.daig.api.trainer;

import java.util.Map;

/**
 * A worker's answer.
 *
 * @param fields  the answer's fields (numbers as Double or Long, strings, booleans)
 * @param payload a vector (parameters, delta), possibly empty
 */
public record WorkerAnswer(Map<String, Object> fields, float[] payload) {

    public double number(String name) {
        Object value = fields.get(name);
        if (!(value instanceof Number n)) {
            throw new IllegalStateException("the worker's answer has no number '" + name + "': " + fields.keySet());
        }
        return n.doubleValue();
    }
}
