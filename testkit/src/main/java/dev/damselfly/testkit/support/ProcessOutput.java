package dev.damselfly.testkit.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Captures the output streams of a child process line by line on daemon threads: keeps the last
 * {@link #DEFAULT_MAX_LINES} lines for failure messages and hands every line to a listener.
 */
public final class ProcessOutput {

    /** Lines kept for {@link #text()}: 20,000 (older lines are dropped, the drop is counted). */
    public static final int DEFAULT_MAX_LINES = 20_000;

    private final Deque<String> lines = new ArrayDeque<>();
    private final int maxLines;
    private final List<Thread> readers = new ArrayList<>();
    private long dropped;

    /** Creates a capture keeping {@link #DEFAULT_MAX_LINES} lines. */
    public ProcessOutput() {
        this(DEFAULT_MAX_LINES);
    }

    /** @param maxLines lines kept in memory, at least 1 */
    public ProcessOutput(int maxLines) {
        if (maxLines < 1) {
            throw new IllegalArgumentException("maxLines must be >= 1, was " + maxLines);
        }
        this.maxLines = maxLines;
    }

    /**
     * Starts a daemon thread that reads {@code stream} until EOF.
     *
     * @param name     thread name and line prefix, e.g. {@code "stdout"}
     * @param stream   the child's output stream
     * @param listener receives each line (without prefix) after it is stored; may be {@code null}
     */
    public void follow(String name, InputStream stream, Consumer<String> listener) {
        Thread reader = new Thread(() -> pump(name, stream, listener), "damselfly-testkit-" + name);
        reader.setDaemon(true);
        synchronized (readers) {
            readers.add(reader);
        }
        reader.start();
    }

    private void pump(String name, InputStream stream, Consumer<String> listener) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                add(name + "| " + line);
                if (listener != null) {
                    listener.accept(line);
                }
            }
        } catch (IOException e) {
            add(name + "| <output closed: " + e.getMessage() + ">");
        }
    }

    private synchronized void add(String line) {
        lines.addLast(line);
        while (lines.size() > maxLines) {
            lines.removeFirst();
            dropped++;
        }
    }

    /**
     * Waits (bounded) for the reader threads to reach EOF, after the process has exited.
     *
     * @param millis maximum wait per reader in milliseconds
     */
    public void awaitEof(long millis) {
        List<Thread> copy;
        synchronized (readers) {
            copy = new ArrayList<>(readers);
        }
        for (Thread t : copy) {
            try {
                t.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** @return all kept lines, each prefixed with its stream name, joined with {@code \n} */
    public synchronized String text() {
        StringBuilder sb = new StringBuilder();
        if (dropped > 0) {
            sb.append("<").append(dropped).append(" earlier lines dropped>\n");
        }
        for (String line : lines) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    /**
     * @param n maximum number of lines
     * @return the last {@code n} kept lines joined with {@code \n}
     */
    public synchronized String tail(int n) {
        List<String> all = new ArrayList<>(lines);
        StringBuilder sb = new StringBuilder();
        for (String line : all.subList(Math.max(0, all.size() - n), all.size())) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }
}
