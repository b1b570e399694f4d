package io.keyedstate.deployment.config;

import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * A keyed channel whose {@code interceptor.classes} the user set without the restore fence could
 * let records fetched during a restore reach the handler: startup fails, saying what to add.
 */
class InterceptorsWithoutTheRestoreFenceFailAtStartupTest {

    @RegisterExtension
    static final QuarkusUnitTest app = StartupFailure.expecting(new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(StartupFailure.Counter.class, Audit.class))
            .overrideRuntimeConfigKey("mp.messaging.incoming.words.interceptor.classes", Audit.class.getName()),
            "mp.messaging.incoming.words.interceptor.classes is '" + Audit.class.getName() + "', which lacks"
                    + " io.keyedstate.checkpoint.RestoreFence",
            "Add it to the list");

    @Test
    void startupFailsNamingThePropertyAndTheFence() {
        // Asserted by the extension above.
    }

    /** An interceptor of the user's own. */
    public static class Audit implements ConsumerInterceptor<Object, Object> {
        @Override
        public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
            return records;
        }

        @Override
        public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }
}
