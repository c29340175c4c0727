package dev.damselfly.piecestore.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Replaces the {@code piece-store} section of {@code BENCHMARKS.md}: the text between
 * {@code <!-- bench:piece-store:start -->} and {@code <!-- bench:piece-store:end -->}; appends the section
 * (markers included) when the file has none, and leaves every other section alone.
 */
final class BenchmarkSection {
    static final String START = "<!-- bench:piece-store:start -->";
    static final String END = "<!-- bench:piece-store:end -->";

    private BenchmarkSection() {
    }

    static String replace(String document, String body) {
        String section = START + "\n" + body.strip() + "\n" + END;
        int s = document.indexOf(START);
        int e = s < 0 ? -1 : document.indexOf(END, s);
        if (s >= 0 && e >= 0) {
            return document.substring(0, s) + section + document.substring(e + END.length());
        }
        return document.stripTrailing() + "\n\n" + section + "\n";
    }

    static void write(Path file, String body) throws IOException {
        String doc = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Benchmarks\n";
        Files.writeString(file, replace(doc, body), StandardCharsets.UTF_8);
    }
}
