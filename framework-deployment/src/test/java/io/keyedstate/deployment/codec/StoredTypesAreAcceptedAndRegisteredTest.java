package io.keyedstate.deployment.codec;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.keyedstate.KeyedState;
import io.keyedstate.ListState;
import io.keyedstate.MapState;
import io.keyedstate.StateCodec;
import io.keyedstate.ValueState;
import io.keyedstate.runtime.KeyedStates;
import io.quarkus.builder.BuildContext;
import io.quarkus.builder.BuildStep;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Built-in, Jackson and user-codec types all build; the Jackson ones are registered for
 * reflection so that a native image can encode them, the others are not; and at runtime the
 * application's own codec bean encodes its type.
 */
class StoredTypesAreAcceptedAndRegisteredTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Session.class, Order.class, Shape.class, Square.class,
                    ShapeCodec.class))
            .overrideConfigKey("kafka.bootstrap.servers", "127.0.0.1:9")
            // Native-image registrations are made by native builds only.
            .overrideConfigKey("quarkus.native.enabled", "true")
            .addBuildChainCustomizer(chain -> chain.addBuildStep(new BuildStep() {
                @Override
                public void execute(BuildContext context) {
                    List<ReflectiveClassBuildItem> registrations = context.consumeMulti(ReflectiveClassBuildItem.class);
                    List<String> forState = registrations.stream()
                            .filter(item -> "keyed state values encoded with Jackson".equals(item.getReason()))
                            .flatMap(item -> item.getClassNames().stream())
                            .toList();
                    if (!forState.contains(Order.class.getName()) || forState.contains(Shape.class.getName())
                            || forState.contains(String.class.getName())) {
                        throw new AssertionError("Unexpected reflection registrations for keyed state: " + forState);
                    }
                    context.produce(new FeatureBuildItem("registrations-checked"));
                }
            }).consumes(ReflectiveClassBuildItem.class).produces(FeatureBuildItem.class).build());

    @Inject
    Session session;

    @Inject
    KeyedStates states;

    @Test
    void theApplicationsOwnCodecEncodesItsType() {
        states.callScoped(null, "clicks", 0, "k", () -> {
            session.addShape(new Square(2.0));
            return null;
        });
        // Key "k": 4-byte length + 1 byte. Element: ShapeCodec's 8-byte double + 8 bytes of expiry (ttl).
        // Jackson would have written {"side":2.0} instead: 4 + 12 bytes.
        assertThat(states.backend().shard(states.shardIds().id("clicks", 0)).estimatedBytes()).isEqualTo(5 + 8 + 8);
    }

    public record Order(String id, long cents) {
    }

    public interface Shape {
        double area();
    }

    public record Square(double side) implements Shape {
        public double area() {
            return side * side;
        }
    }

    @ApplicationScoped
    public static class ShapeCodec implements StateCodec<Shape> {
        public void encode(Shape value, DataOutput out) throws IOException {
            out.writeDouble(((Square) value).side());
        }

        public Shape decode(DataInput in) throws IOException {
            return new Square(in.readDouble());
        }
    }

    @ApplicationScoped
    public static class Session {
        @KeyedState(ttl = "PT30M")
        ValueState<String> user;

        @KeyedState
        MapState<String, Order> orders;

        @KeyedState(ttl = "10s")
        ListState<Shape> shapes;

        @KeyedState
        ValueState<List<Order>> history;

        @Incoming("clicks")
        void on(String click) {
        }

        void addShape(Shape shape) {
            shapes.add(shape);
        }
    }
}
