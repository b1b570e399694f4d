package io.keyedstate.deployment;

import java.util.ArrayList;
import java.util.List;

import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;

import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.pkg.steps.NativeOrNativeSourcesBuild;
import io.quarkus.deployment.builditem.CombinedIndexBuildItem;
import io.quarkus.deployment.builditem.ExtensionSslNativeSupportBuildItem;
import io.quarkus.deployment.builditem.IndexDependencyBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;

/**
 * What a native image needs for S3 checkpoint storage through the MinIO client: its XML messages
 * are bound by Simple XML through reflection, and its request arguments are built reflectively
 * by their builders; endpoints may be https.
 */
class S3NativeImageProcessor {

    static final String REASON = "S3 checkpoint storage: the MinIO client binds its XML messages and builds its"
            + " request arguments by reflection";
    private static final DotName MINIO_ARGUMENTS = DotName.createSimple("io.minio.BaseArgs");

    /** The MinIO client and Simple XML are not bean archives; their classes are found in their indexes. */
    @BuildStep(onlyIf = { NativeOrNativeSourcesBuild.class, OptionalLibraries.MinioPresent.class })
    void indexClients(BuildProducer<IndexDependencyBuildItem> indexes) {
        indexes.produce(new IndexDependencyBuildItem("io.minio", "minio"));
        indexes.produce(new IndexDependencyBuildItem("com.carrotsearch.thirdparty", "simple-xml-safe"));
    }

    @BuildStep(onlyIf = { NativeOrNativeSourcesBuild.class, OptionalLibraries.MinioPresent.class })
    ReflectiveClassBuildItem reflection(CombinedIndexBuildItem combined) {
        IndexView index = combined.getIndex();
        List<String> classes = new ArrayList<>();
        index.getClassesInPackage(DotName.createSimple("io.minio.messages")).forEach(c -> classes.add(c.name().toString()));
        // The credential sources' responses: web identity (XML), container credentials (JSON).
        index.getClassesInPackage(DotName.createSimple("io.minio.credentials")).forEach(c -> classes.add(c.name().toString()));
        // Simple XML creates a label per annotated member by calling the label class's constructor reflectively.
        index.getClassesInPackage(DotName.createSimple("org.simpleframework.xml.core")).stream()
                .map(ClassInfo::name).map(DotName::toString).filter(name -> name.endsWith("Label"))
                .forEach(classes::add);
        index.getAllKnownSubclasses(MINIO_ARGUMENTS).forEach(c -> classes.add(c.name().toString()));
        return ReflectiveClassBuildItem.builder(classes.toArray(String[]::new)).constructors().methods().fields()
                .reason(REASON).build();
    }

    /** {@code https} S3 endpoints need the image's TLS support. */
    @BuildStep(onlyIf = { NativeOrNativeSourcesBuild.class, OptionalLibraries.MinioPresent.class })
    ExtensionSslNativeSupportBuildItem tls() {
        return new ExtensionSslNativeSupportBuildItem(KeyedStateProcessor.FEATURE);
    }
}
