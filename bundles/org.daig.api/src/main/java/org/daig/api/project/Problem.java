package org.daig.api.project;

/**
 * One thing wrong with a submission.
 *
 * @param field   the field or file concerned ({@code model}, {@code x}, {@code taskSize}, ...)
 * @param message what is wrong and how to fix it
 */
public record Problem(String field, String message) {
}
