package io.keyedstate;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.enterprise.util.Nonbinding;
import jakarta.inject.Qualifier;

/**
 * Marks a field of an {@code @ApplicationScoped} or {@code @Singleton} bean as keyed state: a
 * {@link ValueState}, {@link MapState} or {@link ListState} whose contents belong to the key (and
 * partition) of the Kafka record being handled. No {@code @Inject} is needed.
 * <p>
 * The handle is valid only while a record of one of the bean's Kafka {@code @Incoming} channels is
 * being handled, or inside {@link KeyedScope#run}; anywhere else it throws
 * {@link IllegalStateException}.
 */
@Qualifier
@Retention(RUNTIME)
@Target({ FIELD, METHOD, PARAMETER })
public @interface KeyedState {

    /** The state's name, unique within its bean. Defaults to the field name. */
    @Nonbinding
    String name() default "";

    /**
     * How long a value lives after it was last written, as an ISO-8601 duration ({@code P1D},
     * {@code PT30M}) or a Quarkus duration ({@code 30m}, {@code 10s}). An expired value reads as
     * absent and is removed in the background. Empty: values never expire.
     */
    @Nonbinding
    String ttl() default "";
}
