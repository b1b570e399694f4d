package io.keyedstate.runtime;

/**
 * RocksDB and the S3 client are optional dependencies of the extension: an application that
 * configures them must have added them, and one that did not is told which dependency to add
 * before any class of them is touched.
 */
public final class OptionalLibraries {

    /** The versions the extension is built and tested against, as the parent pom says. */
    static final String ROCKSDB_ARTIFACT = "org.rocksdb:rocksdbjni:10.10.1";
    static final String MINIO_ARTIFACT = "io.minio:minio:8.6.0";
    /** MinIO's own okhttp dependency is an empty jar that this one fills. */
    static final String OKHTTP_ARTIFACT = "com.squareup.okhttp3:okhttp-jvm:5.1.0";

    private OptionalLibraries() {
    }

    /** Fails unless RocksDB's classes are there, for {@code quarkus.keyed-state.backend=rocksdb}. */
    public static void requireRocksDb() {
        if (!present("org.rocksdb.RocksDB")) {
            throw missing("quarkus.keyed-state.backend=rocksdb", "RocksDB", ROCKSDB_ARTIFACT);
        }
    }

    /** Fails unless the S3 client's classes are there, for {@code quarkus.keyed-state.checkpoint.storage=s3}. */
    public static void requireMinio() {
        if (!present("io.minio.MinioClient") || !present("okhttp3.OkHttpClient")) {
            throw missing("quarkus.keyed-state.checkpoint.storage=s3", "the MinIO S3 client", MINIO_ARTIFACT,
                    OKHTTP_ARTIFACT);
        }
    }

    private static IllegalStateException missing(String setting, String library, String... artifacts) {
        StringBuilder dependencies = new StringBuilder();
        for (String artifact : artifacts) {
            String[] coordinates = artifact.split(":");
            dependencies.append("\n  <dependency><groupId>").append(coordinates[0]).append("</groupId><artifactId>")
                    .append(coordinates[1]).append("</artifactId><version>").append(coordinates[2])
                    .append("</version></dependency>");
        }
        return new IllegalStateException(setting + " needs " + library + ", which the application does not have; add "
                + (artifacts.length == 1 ? "this dependency" : "these dependencies")
                + " (the versions the extension is built against):" + dependencies);
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Thread.currentThread().getContextClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        } catch (RuntimeException e) {
            return false; // a class loader that cannot open what it was told holds the class
        }
    }
}
