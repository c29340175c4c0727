package dev.damselfly.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.oci.RegistryException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Turns an unwanted response into the typed {@link RegistryException} for its status. */
final class ResponseErrors {
    /**
     * The error bodies' parser, made on the first error body read: {@link #require} runs on every response, and a
     * static mapper here had a command's first request wait for Jackson's classes to initialise (a mount's warm-up
     * thread initialises them meanwhile) although a successful response never needs it.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private ResponseErrors() {
    }

    /** Throws unless the status is one of {@code expected}; closes the response when throwing. */
    static void require(RegistryResponse response, String subject, int... expected) throws RegistryException {
        for (int status : expected) {
            if (response.status() == status) {
                return;
            }
        }
        RegistryException error = toException(response, subject);
        response.close();
        throw error;
    }

    static RegistryException toException(RegistryResponse response, String subject) {
        int status = response.status();
        String detail = registryMessage(response.errorText());
        return switch (status) {
            case 401 -> new RegistryException.UnauthorizedException(subject, orDefault(detail, "authentication required"));
            case 403 -> new RegistryException.ForbiddenException(subject, orDefault(detail, "access denied"));
            case 404 -> new RegistryException.NotFoundException(subject, orDefault(detail, "not found"));
            case 416 -> new RegistryException.RangeNotSatisfiableException(subject,
                    "requested", response.header("Content-Range").orElse(null));
            case 429 -> new RegistryException.TooManyRequestsException(subject,
                    retryAfterSeconds(response.header("Retry-After").orElse(null)), orDefault(detail, "too many requests"));
            default -> status >= 500
                    ? new RegistryException.ServerException(subject, status, orDefault(detail, "registry error"), null)
                    : new RegistryException.UnexpectedResponseException(subject, status, orDefault(detail, "unexpected response"));
        };
    }

    /** The registry's {@code {"errors":[{"code","message"}]}} as one line, or the raw text shortened. */
    static String registryMessage(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode errors = Json.MAPPER.readTree(body).path("errors");
            if (errors.isArray() && errors.size() > 0) {
                List<String> parts = new ArrayList<>();
                for (JsonNode error : errors) {
                    parts.add(error.path("code").asText("") + ": " + error.path("message").asText(""));
                }
                return String.join("; ", parts);
            }
        } catch (Exception notJson) {
            // Fall through to the raw text.
        }
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
    }

    /** Retry-After as seconds (delta-seconds or an HTTP date), or -1. */
    static long retryAfterSeconds(String value) {
        if (value == null || value.isBlank()) {
            return -1;
        }
        try {
            return Math.max(0, Long.parseLong(value.trim()));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime when = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, Duration.between(ZonedDateTime.now(when.getZone()), when).toSeconds());
            } catch (DateTimeParseException notDate) {
                return -1;
            }
        }
    }

    private static String orDefault(String detail, String fallback) {
        return detail.isEmpty() ? fallback : detail;
    }
}
