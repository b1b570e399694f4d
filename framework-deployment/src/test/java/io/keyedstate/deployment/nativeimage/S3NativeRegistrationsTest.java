package io.keyedstate.deployment.nativeimage;

import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.deployment.builditem.ExtensionSslNativeSupportBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.test.QuarkusUnitTest;

/**
 * No native image can be built here, so the registrations S3 checkpoint storage needs in one are
 * checked where they are produced: in the build chain.
 */
class S3NativeRegistrationsTest {

    @RegisterExtension
    static final QuarkusUnitTest app = BuildChainCheck.of("s3-native-registrations-checked", context -> {
        Set<String> reflective = context.consumeMulti(ReflectiveClassBuildItem.class).stream()
                .filter(item -> item.getReason() != null && item.getReason().startsWith("S3 checkpoint storage"))
                .flatMap(item -> item.getClassNames().stream()).collect(Collectors.toSet());
        // What the storage's own calls parse or send: listings, multipart uploads, deletions, errors.
        for (String name : new String[] { "io.minio.messages.ListBucketResultV2", "io.minio.messages.Item",
                "io.minio.messages.ListMultipartUploadsResult", "io.minio.messages.Upload",
                "io.minio.messages.InitiateMultipartUploadResult", "io.minio.messages.CompleteMultipartUpload",
                "io.minio.messages.DeleteRequest", "io.minio.messages.DeleteResult",
                "io.minio.messages.ErrorResponse", "org.simpleframework.xml.core.ElementLabel",
                "org.simpleframework.xml.core.ElementListLabel", "io.minio.PutObjectArgs",
                "io.minio.UploadObjectArgs", "io.minio.ListObjectsArgs",
                // The credential sources without configured keys.
                "io.minio.credentials.IamAwsProvider$EcsCredentials",
                "io.minio.credentials.WebIdentityProvider$WebIdentityResponse", "io.minio.credentials.Credentials" }) {
            if (!reflective.contains(name)) {
                throw new AssertionError(name + " is not registered for reflection, with a reason");
            }
        }
        boolean tls = context.consumeMulti(ExtensionSslNativeSupportBuildItem.class).stream()
                .anyMatch(item -> item.getExtension().equals("keyed-state"));
        if (!tls) {
            throw new AssertionError("The extension does not ask for TLS support in native images");
        }
    }, ReflectiveClassBuildItem.class, ExtensionSslNativeSupportBuildItem.class);

    @Test
    void s3StorageIsRegisteredForTheNativeImage() {
        // Asserted in the build chain above.
    }
}
