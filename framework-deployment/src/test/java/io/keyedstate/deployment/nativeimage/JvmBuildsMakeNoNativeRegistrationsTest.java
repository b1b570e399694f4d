package io.keyedstate.deployment.nativeimage;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.checkpoint.RestoreFence;
import io.quarkus.deployment.builditem.ModuleEnableNativeAccessBuildItem;
import io.quarkus.deployment.builditem.nativeimage.JniRuntimeAccessBuildItem;
import io.quarkus.deployment.builditem.nativeimage.NativeImageResourceBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The extension's native-image registrations (RocksDB's JNI classes and library, the S3 client's
 * messages, the restore fence) cost a JVM build nothing: their build steps do not run there.
 */
class JvmBuildsMakeNoNativeRegistrationsTest {

    @RegisterExtension
    static final QuarkusUnitTest app = BuildChainCheck.ofJvmBuild("jvm-build-without-native-registrations", context -> {
        List<String> jni = context.consumeMulti(JniRuntimeAccessBuildItem.class).stream()
                .flatMap(item -> item.getClassNames().stream()).filter(name -> name.startsWith("org.rocksdb.")).toList();
        List<String> reflection = context.consumeMulti(ReflectiveClassBuildItem.class).stream()
                .flatMap(item -> item.getClassNames().stream())
                // Quarkus registers configuration classes itself, in every build; these are the extension's.
                .filter(name -> name.startsWith("org.rocksdb.") || name.startsWith("io.minio.")
                        || name.startsWith("org.simpleframework.") || name.equals(RestoreFence.class.getName()))
                .toList();
        List<String> resources = context.consumeMulti(NativeImageResourceBuildItem.class).stream()
                .flatMap(item -> item.getResources().stream()).filter(name -> name.contains("rocksdb")).toList();
        List<String> modules = context.consumeMulti(ModuleEnableNativeAccessBuildItem.class).stream()
                .map(ModuleEnableNativeAccessBuildItem::moduleName).filter(name -> name.contains("rocksdb")).toList();
        if (!jni.isEmpty() || !reflection.isEmpty() || !resources.isEmpty() || !modules.isEmpty()) {
            throw new AssertionError("A JVM build made native registrations: JNI " + jni + ", reflection " + reflection
                    + ", resources " + resources + ", native access " + modules);
        }
    }, JniRuntimeAccessBuildItem.class, ReflectiveClassBuildItem.class, NativeImageResourceBuildItem.class,
            ModuleEnableNativeAccessBuildItem.class);

    @Test
    void nativeRegistrationsAreLeftToNativeBuilds() {
        // The check ran in the build; reaching this point means it passed.
    }
}
