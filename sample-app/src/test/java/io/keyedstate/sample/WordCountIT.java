package io.keyedstate.sample;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The word-count contract against the packaged application (JVM jar, or native image with -Pnative). */
@QuarkusIntegrationTest
class WordCountIT extends WordCountTest {
}
