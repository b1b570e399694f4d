package io.keyedstate.deployment;

import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.util.Environment;

import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.ModuleEnableNativeAccessBuildItem;
import io.quarkus.deployment.builditem.nativeimage.JniRuntimeAccessBuildItem;
import io.quarkus.deployment.builditem.nativeimage.NativeImageResourceBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.RuntimeInitializedClassBuildItem;
import io.quarkus.deployment.pkg.steps.NativeOrNativeSourcesBuild;

/**
 * What a native image needs to load and run RocksDB. Only {@link ReflectiveClassBuildItem} takes a
 * reason; each of the other registrations says why in its comment.
 */
class RocksDbNativeImageProcessor {

    static final String NATIVE_LIBRARY_REASON = "RocksDB's native code builds these Java objects through JNI";

    /** RocksDB's C++ side constructs its exceptions and statuses through JNI. */
    @BuildStep(onlyIf = { NativeOrNativeSourcesBuild.class, OptionalLibraries.RocksDbPresent.class })
    void jniAccess(BuildProducer<JniRuntimeAccessBuildItem> jni, BuildProducer<ReflectiveClassBuildItem> reflection) {
        jni.produce(new JniRuntimeAccessBuildItem(true, true, true, RocksDBException.class, Status.class,
                Status.Code.class, Status.SubCode.class));
        reflection.produce(ReflectiveClassBuildItem.builder(RocksDBException.class, Status.class, Status.Code.class,
                Status.SubCode.class).constructors().methods().fields().reason(NATIVE_LIBRARY_REASON).build());
    }

    /**
     * The loader extracts the platform's shared library from the jar at runtime, so the image must
     * carry it as a resource.
     */
    @BuildStep(onlyIf = { NativeOrNativeSourcesBuild.class, OptionalLibraries.RocksDbPresent.class })
    NativeImageResourceBuildItem nativeLibrary() {
        return new NativeImageResourceBuildItem(Environment.getJniLibraryFileName("rocksdb"));
    }

    /**
     * {@code RocksDB}'s static initializer loads the library, and the loader remembers that it did:
     * both must run in the image's process, not at build time, or the image would skip the load.
     */
    @BuildStep(onlyIf = { NativeOrNativeSourcesBuild.class, OptionalLibraries.RocksDbPresent.class })
    void runtimeInitialization(BuildProducer<RuntimeInitializedClassBuildItem> runtimeInitialized) {
        runtimeInitialized.produce(new RuntimeInitializedClassBuildItem("org.rocksdb.RocksDB"));
        runtimeInitialized.produce(new RuntimeInitializedClassBuildItem("org.rocksdb.NativeLibraryLoader"));
    }

    /** JNI from a named module needs native access on recent JDKs. */
    @BuildStep(onlyIf = { NativeOrNativeSourcesBuild.class, OptionalLibraries.RocksDbPresent.class })
    ModuleEnableNativeAccessBuildItem nativeAccess() {
        return new ModuleEnableNativeAccessBuildItem("rocksdbjni");
    }
}
