package io.keyedstate.deployment.nativeimage;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.deployment.builditem.ModuleEnableNativeAccessBuildItem;
import io.quarkus.deployment.builditem.nativeimage.JniRuntimeAccessBuildItem;
import io.quarkus.deployment.builditem.nativeimage.NativeImageResourceBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.RuntimeInitializedClassBuildItem;
import io.quarkus.test.QuarkusUnitTest;

/**
 * No native image can be built here, so the registrations that make RocksDB work in one are
 * checked where they are produced: in the build chain.
 */
class RocksDbNativeRegistrationsTest {

    @RegisterExtension
    static final QuarkusUnitTest app = BuildChainCheck.of("rocksdb-native-registrations-checked", context -> {
        Set<String> jni = context.consumeMulti(JniRuntimeAccessBuildItem.class).stream()
                .flatMap(item -> item.getClassNames().stream()).collect(Collectors.toSet());
        require(jni, "org.rocksdb.RocksDBException", "org.rocksdb.Status", "org.rocksdb.Status$Code",
                "org.rocksdb.Status$SubCode");

        List<ReflectiveClassBuildItem> reflection = context.consumeMulti(ReflectiveClassBuildItem.class);
        boolean reasoned = reflection.stream().anyMatch(item -> item.getClassNames()
                .contains("org.rocksdb.Status") && item.getReason() != null && !item.getReason().isBlank());
        if (!reasoned) {
            throw new AssertionError("RocksDB classes are not registered for reflection with a reason");
        }

        Set<String> runtimeInitialized = context.consumeMulti(RuntimeInitializedClassBuildItem.class).stream()
                .map(RuntimeInitializedClassBuildItem::getClassName).collect(Collectors.toSet());
        require(runtimeInitialized, "org.rocksdb.RocksDB", "org.rocksdb.NativeLibraryLoader");

        Set<String> resources = context.consumeMulti(NativeImageResourceBuildItem.class).stream()
                .flatMap(item -> item.getResources().stream()).collect(Collectors.toSet());
        require(resources, "librocksdbjni-linux64.so");

        Set<String> modules = context.consumeMulti(ModuleEnableNativeAccessBuildItem.class).stream()
                .map(ModuleEnableNativeAccessBuildItem::moduleName).collect(Collectors.toSet());
        require(modules, "rocksdbjni");
    }, JniRuntimeAccessBuildItem.class, ReflectiveClassBuildItem.class, RuntimeInitializedClassBuildItem.class,
            NativeImageResourceBuildItem.class, ModuleEnableNativeAccessBuildItem.class);

    private static void require(Set<String> produced, String... expected) {
        for (String name : expected) {
            if (!produced.contains(name)) {
                throw new AssertionError(name + " is missing from " + produced);
            }
        }
    }

    @Test
    void rocksDbIsRegisteredForTheNativeImage() {
        // Asserted in the build chain above.
    }
}
