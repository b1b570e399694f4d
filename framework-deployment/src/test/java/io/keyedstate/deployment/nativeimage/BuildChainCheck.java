package io.keyedstate.deployment.nativeimage;

import java.util.function.Consumer;

import io.quarkus.builder.BuildContext;
import io.quarkus.builder.BuildStep;
import io.quarkus.builder.BuildStepBuilder;
import io.quarkus.builder.item.BuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.test.QuarkusUnitTest;

/**
 * An empty application whose build runs a check over the build items the extension produced: how
 * native-image registrations are tested where no native image can be built.
 */
final class BuildChainCheck {

    private BuildChainCheck() {
    }

    /**
     * The check, over the build items of a native build, throws an {@code AssertionError} to fail
     * the build, and with it the test. (The build is configured as native; the test still runs on
     * the JVM, and no image is made.)
     */
    @SafeVarargs
    static QuarkusUnitTest of(String name, Consumer<BuildContext> check, Class<? extends BuildItem>... consumed) {
        return of(name, new Class<?>[0], check, consumed);
    }

    /** The same, with {@code classes} in the application. */
    @SafeVarargs
    static QuarkusUnitTest of(String name, Class<?>[] classes, Consumer<BuildContext> check,
            Class<? extends BuildItem>... consumed) {
        return build(name, true, classes, check, consumed);
    }

    /** The same check over the build items of a JVM build. */
    @SafeVarargs
    static QuarkusUnitTest ofJvmBuild(String name, Consumer<BuildContext> check, Class<? extends BuildItem>... consumed) {
        return build(name, false, new Class<?>[0], check, consumed);
    }

    private static QuarkusUnitTest build(String name, boolean nativeBuild, Class<?>[] classes, Consumer<BuildContext> check,
            Class<? extends BuildItem>[] consumed) {
        return new QuarkusUnitTest()
                // The test class is loaded again in the application, with its static initializer calling this.
                .withApplicationRoot(root -> root.addClass(BuildChainCheck.class).addClasses(classes))
                .overrideConfigKey("kafka.bootstrap.servers", "127.0.0.1:9")
                .overrideConfigKey("quarkus.native.enabled", String.valueOf(nativeBuild))
                .addBuildChainCustomizer(chain -> {
                    BuildStepBuilder step = chain.addBuildStep(new BuildStep() {
                        @Override
                        public void execute(BuildContext context) {
                            check.accept(context);
                            // A produced item is what makes the build run this step at all.
                            context.produce(new FeatureBuildItem(name));
                        }
                    });
                    for (Class<? extends BuildItem> item : consumed) {
                        step.consumes(item);
                    }
                    step.produces(FeatureBuildItem.class).build();
                });
    }
}
