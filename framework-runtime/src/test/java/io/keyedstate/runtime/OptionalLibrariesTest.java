package io.keyedstate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class OptionalLibrariesTest {

    @Test
    void theDependenciesAStartupAsksForAreTheOnesTheExtensionIsBuiltAgainst() throws Exception {
        String parent = Files.readString(Path.of("..", "pom.xml"));

        assertThat(OptionalLibraries.ROCKSDB_ARTIFACT).isEqualTo("org.rocksdb:rocksdbjni:" + property(parent, "rocksdb.version"));
        assertThat(OptionalLibraries.MINIO_ARTIFACT).isEqualTo("io.minio:minio:" + property(parent, "minio.version"));
        assertThat(OptionalLibraries.OKHTTP_ARTIFACT)
                .isEqualTo("com.squareup.okhttp3:okhttp-jvm:" + property(parent, "okhttp.version"));
    }

    @Test
    void librariesThatArePresentPassTheirChecks() {
        OptionalLibraries.requireRocksDb();
        OptionalLibraries.requireMinio();
    }

    private static String property(String pom, String name) {
        Matcher matcher = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertThat(matcher.find()).as(name).isTrue();
        return matcher.group(1);
    }
}
