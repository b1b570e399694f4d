package io.keyedstate.deployment;

import java.util.function.BooleanSupplier;

import io.quarkus.bootstrap.classloading.QuarkusClassLoader;

/**
 * Whether the application has the libraries RocksDB and S3 support need: they are optional
 * dependencies of the extension, so the build steps for them run only where an application added
 * them.
 */
final class OptionalLibraries {

    private OptionalLibraries() {
    }

    /** {@code org.rocksdb:rocksdbjni} is on the application's class path. */
    static final class RocksDbPresent implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return QuarkusClassLoader.isClassPresentAtRuntime("org.rocksdb.RocksDB");
        }
    }

    /** {@code io.minio:minio} is on the application's class path. */
    static final class MinioPresent implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return QuarkusClassLoader.isClassPresentAtRuntime("io.minio.MinioClient");
        }
    }
}
