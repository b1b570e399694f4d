package io.keyedstate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * A real S3-protocol server for tests: S3Proxy with its filesystem blob store, run as a child
 * process on a free loopback port, once per test JVM.
 * <p>
 * It runs out of process because its fat jar bundles Jetty, jclouds and Guava versions that would
 * clash with the application's class path. The jar's location comes from the system property
 * {@value #JAR_PROPERTY}, which the parent POM's surefire configuration sets from the
 * {@code org.gaul:s3proxy:jar-with-dependencies} test dependency.
 */
public final class S3ProxyServer {

    public static final String JAR_PROPERTY = "keyedstate.s3proxy.jar";
    public static final String REGION = "us-east-1";
    public static final String TRUST_STORE_PASSWORD = "changeit";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static S3ProxyServer shared;

    private final Process process;
    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private final int securePort;
    private final String accessKey;
    private final String secretKey;

    private S3ProxyServer(Process process, Path dataDir, Path logFile, int port, int securePort, String accessKey,
            String secretKey) {
        this.process = process;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.port = port;
        this.securePort = securePort;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** The JVM-wide server, started on first use and stopped (its data deleted) when the JVM exits. */
    public static synchronized S3ProxyServer shared() {
        if (shared == null) {
            shared = start();
            S3ProxyServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "s3proxy-shutdown"));
        }
        return shared;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The same server over TLS, with a self-signed certificate for 127.0.0.1 that only {@link #trustStore()} trusts. */
    public String secureEndpoint() {
        return "https://127.0.0.1:" + securePort;
    }

    /** A PKCS12 trust store holding the certificate of {@link #secureEndpoint()}, password {@link #TRUST_STORE_PASSWORD}. */
    public Path trustStore() {
        return dataDir.resolve("trust.p12");
    }

    public String region() {
        return REGION;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** A server of the caller's own, for tests that take it down; {@link #stop()} it when done. */
    public static S3ProxyServer startPrivate() {
        return start();
    }

    /**
     * Freezes the server (SIGSTOP) or thaws it (SIGCONT): while frozen it accepts connections and
     * never answers, the way a store that went away mid-request looks to a client.
     */
    public void freeze(boolean frozen) {
        try {
            Process kill = new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", Long.toString(process.pid()))
                    .inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill " + (frozen ? "-STOP" : "-CONT") + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    static S3ProxyServer start() {
        Path jar = locateJar();
        try {
            Path dataDir = Files.createTempDirectory("keyed-state-s3proxy-");
            Path logFile = dataDir.resolveSibling(dataDir.getFileName() + ".log");
            Path blobs = Files.createDirectories(dataDir.resolve("blobs"));
            int port = freePort();
            int securePort = freePort();
            Path keyStore = createCertificate(dataDir);
            String accessKey = "test-" + UUID.randomUUID().toString().substring(0, 8);
            String secretKey = UUID.randomUUID().toString();

            Properties config = new Properties();
            config.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
            config.setProperty("s3proxy.secure-endpoint", "https://127.0.0.1:" + securePort);
            config.setProperty("s3proxy.keystore-path", keyStore.toString());
            config.setProperty("s3proxy.keystore-password", TRUST_STORE_PASSWORD);
            config.setProperty("s3proxy.authorization", "aws-v2-or-v4");
            config.setProperty("s3proxy.identity", accessKey);
            config.setProperty("s3proxy.credential", secretKey);
            config.setProperty("jclouds.provider", "filesystem");
            config.setProperty("jclouds.filesystem.basedir", blobs.toString());
            Path configFile = dataDir.resolve("s3proxy.properties");
            try (Writer out = Files.newBufferedWriter(configFile)) {
                config.store(out, "generated by " + S3ProxyServer.class.getName());
            }

            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx256m");
            command.add("-jar");
            command.add(jar.toString());
            command.add("--properties");
            command.add(configFile.toString());
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
            S3ProxyServer server = new S3ProxyServer(process, dataDir, logFile, port, securePort, accessKey, secretKey);
            server.awaitReady();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start S3Proxy from " + jar, e);
        }
    }

    /**
     * A self-signed key pair for 127.0.0.1 (the server's key store), and a trust store holding only
     * its certificate, for clients.
     */
    private static Path createCertificate(Path dir) throws IOException {
        Path keyStore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "s3proxy", "-keyalg", "RSA", "-keysize", "2048", "-validity", "7",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", TRUST_STORE_PASSWORD, "-keypass", TRUST_STORE_PASSWORD)
                .redirectErrorStream(true).start();
        try {
            String output = new String(keytool.getInputStream().readAllBytes());
            if (keytool.waitFor() != 0) {
                throw new IOException("keytool failed: " + output);
            }
            KeyStore server = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(keyStore)) {
                server.load(in, TRUST_STORE_PASSWORD.toCharArray());
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("s3proxy", server.getCertificate("s3proxy"));
            try (var out = Files.newOutputStream(dir.resolve("trust.p12"))) {
                trust.store(out, TRUST_STORE_PASSWORD.toCharArray());
            }
            return keyStore;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("Could not create the test certificate", e);
        }
    }

    /** Stops the server and deletes its data. Idempotent. */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        deleteRecursively(dataDir);
        deleteRecursively(logFile);
    }

    private void awaitReady() throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(endpoint() + "/")).timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with code " + process.exitValue() + " before it was ready:\n" + log());
            }
            try {
                // Any HTTP answer (an anonymous request gets 403) means the server is serving.
                http.send(probe, HttpResponse.BodyHandlers.discarding());
                return;
            } catch (ConnectException notYetListening) {
                pause();
            } catch (IOException e) {
                pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for S3Proxy", e);
            }
        }
        stop();
        throw new IllegalStateException("S3Proxy did not answer on " + endpoint() + " within " + STARTUP_TIMEOUT + ":\n" + log());
    }

    private String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "(no output)";
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path locateJar() {
        String location = System.getProperty(JAR_PROPERTY);
        if (location == null || location.isBlank() || location.startsWith("${")) {
            throw new IllegalStateException("System property " + JAR_PROPERTY + " is not set. Declare the test dependency"
                    + " org.gaul:s3proxy:jar-with-dependencies in the module's POM; the parent POM passes its path to surefire.");
        }
        Path jar = Path.of(location);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(JAR_PROPERTY + " points to " + jar + ", which is not a file");
        }
        return jar;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
