package io.keyedstate.it.recovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged sample application ({@code sample-app/target/quarkus-app/quarkus-run.jar}) in a
 * child JVM, configured by system properties: what a user deploys, killed for real.
 */
final class SampleAppProcess implements AutoCloseable {

    static final Path JAR = Path.of("..", "sample-app", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath()
            .normalize();
    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();
    private static final Pattern PORT = Pattern.compile("Listening on: http://[^:]+:(\\d+)");

    private final String name;
    private final Process process;
    private final Path log;

    private SampleAppProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static SampleAppProcess start(String name, Map<String, String> config, Path logDir) throws IOException {
        return start(name, config, logDir, JAR);
    }

    /** The same, from {@code jar}: a copy of the packaged sample changed by the test. */
    static SampleAppProcess start(String name, Map<String, String> config, Path logDir, Path jar) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: build the sample app first (./mvnw package -pl sample-app -am)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        config.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new SampleAppProcess(name, process, log);
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The HTTP port the application listens on, once it has started. */
    int httpPort() {
        Matcher matcher = PORT.matcher(log());
        if (!matcher.find()) {
            throw new IllegalStateException(name + " has not started its HTTP server yet");
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** Calls the application's HTTP endpoint {@code path} with {@code method} (no body). */
    java.net.http.HttpResponse<String> http(String method, String path) throws IOException, InterruptedException {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + httpPort() + path))
                .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build();
        return HTTP.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The value of the Prometheus metric {@code name}, summed over its series (per channel and
     * partition, for example), or -1 if it is not exported yet.
     */
    long metric(String name) throws IOException, InterruptedException {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)")
                .matcher(http("GET", "/q/metrics").body());
        double sum = 0;
        boolean found = false;
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(2));
            found = true;
        }
        return found ? (long) sum : -1;
    }

    /** {@code kill -9}: no shutdown hook, no final checkpoint, nothing flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** A graceful stop (SIGTERM): partitions are handed over with a final checkpoint. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not stop within 60 s of SIGTERM");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return name + " (log " + log + ")";
    }
}
