package io.keyedstate.state;

import io.quarkus.runtime.annotations.RecordableConstructor;

/**
 * One {@code @KeyedState} field, as discovered at build time.
 *
 * @param id dense index of the state in the application, used to address its table in a shard
 * @param beanClass the declaring bean's class name
 * @param field the field name
 * @param name the state name (unique within the bean)
 * @param kind value, map or list
 * @param ttlMillis time to live after the last write, or 0 for none
 * @param valueType the canonical type of values (list elements, map values), e.g. {@code java.util.List<com.acme.Order>}
 * @param mapKeyType the canonical type of a map state's keys; empty for other states
 */
public record StateDescriptor(int id, String beanClass, String field, String name, StateKind kind, long ttlMillis,
        String valueType, String mapKeyType) {

    @RecordableConstructor
    public StateDescriptor {
    }

    /**
     * The state's identity in a shard, {@code <bean class>.<state name>}: the name of its RocksDB
     * column family, of its section in heap checkpoint files, and of its entry in manifests.
     */
    public String qualifiedName() {
        return beanClass + "." + name;
    }

    public boolean hasTtl() {
        return ttlMillis > 0;
    }

    /** How errors and logs name the state: {@code WordCounter.count (ValueState "count")}. */
    public String displayName() {
        String simpleName = beanClass.substring(beanClass.lastIndexOf('.') + 1);
        return simpleName + "." + field + " (" + kind.apiType() + " \"" + name + "\")";
    }
}
