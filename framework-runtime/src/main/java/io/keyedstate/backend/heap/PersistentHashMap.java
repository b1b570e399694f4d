package io.keyedstate.backend.heap;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * An immutable hash map (a hash array mapped trie): every update returns a new map that shares all
 * unchanged nodes with the old one. This is what makes heap snapshots free: a snapshot is a
 * reference to the current root, taken in constant time, and writes after it copy only the
 * O(log32 n) nodes on their path. Keys need {@code equals}/{@code hashCode}; null keys and values
 * are not allowed.
 * <p>
 * {@link #put(Object, Object, long)} relaxes this for its owner: nodes remember the edit epoch that
 * created them, and replacing the value of an existing key in nodes of the current epoch writes the
 * slot in place instead of copying the path. The owner moves to a new epoch whenever it hands out a
 * snapshot, so nodes a snapshot can see are never written again.
 * <p>
 * Over 300 lines because a trie's lookup, update, removal, iteration and diff share its node
 * layout and are kept beside it.
 */
public final class PersistentHashMap<K, V> implements Iterable<Map.Entry<K, V>> {

    private static final PersistentHashMap<?, ?> EMPTY = new PersistentHashMap<>(null, 0);
    private static final Object NOT_FOUND = new Object();
    private static final int BITS = 5;
    private static final int MASK = (1 << BITS) - 1;
    /** The epoch of nodes that nobody may edit in place. */
    private static final long IMMUTABLE = -1;

    private final Node root;
    private final int size;

    private PersistentHashMap(Node root, int size) {
        this.root = root;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    public static <K, V> PersistentHashMap<K, V> empty() {
        return (PersistentHashMap<K, V>) EMPTY;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    @SuppressWarnings("unchecked")
    public V get(K key) {
        if (root == null) {
            return null;
        }
        Object value = root.find(0, hash(key), key);
        return value == NOT_FOUND ? null : (V) value;
    }

    public boolean containsKey(K key) {
        return root != null && root.find(0, hash(key), key) != NOT_FOUND;
    }

    public PersistentHashMap<K, V> put(K key, V value) {
        return put(key, value, IMMUTABLE);
    }

    /**
     * Like {@link #put(Object, Object)}, but may replace an existing key's value in place in nodes
     * created in {@code epoch} (not negative): only for the single owner of the map, whose
     * snapshots were all taken in earlier epochs.
     */
    public PersistentHashMap<K, V> put(K key, V value, long epoch) {
        if (key == null || value == null) {
            throw new NullPointerException("PersistentHashMap holds no null keys or values");
        }
        boolean[] added = new boolean[1];
        Node start = root == null ? BitmapNode.EMPTY : root;
        Node newRoot = start.put(0, hash(key), key, value, added, epoch);
        // The same root with a key added means an in-place edit grew the map: its size changed all the same.
        if (newRoot == root && !added[0]) {
            return this;
        }
        return new PersistentHashMap<>(newRoot, added[0] ? size + 1 : size);
    }

    public PersistentHashMap<K, V> remove(K key) {
        if (root == null) {
            return this;
        }
        Node newRoot = root.remove(0, hash(key), key);
        if (newRoot == root) {
            return this;
        }
        return newRoot == null ? empty() : new PersistentHashMap<>(newRoot, size - 1);
    }

    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<? super K, ? super V> action) {
        if (root != null) {
            root.forEach((BiConsumer<Object, Object>) action);
        }
    }

    /** What a {@link #diff} reports: a key set to a new value, or a key removed. */
    public interface Changes<K, V> {

        void changed(K key, V value);

        void removed(K key);
    }

    /**
     * Reports every key of this map whose value is not (identically) the one it has in
     * {@code base}, and every key of {@code base} this map lacks. Subtrees the two maps share are
     * skipped, so when this map was derived from {@code base} by a few updates the cost grows with
     * those updates, not with the map's size. A value replaced by an equal one may be reported.
     */
    @SuppressWarnings("unchecked")
    public void diff(PersistentHashMap<K, V> base, Changes<? super K, ? super V> changes) {
        diff(base.root, root, (Changes<Object, Object>) changes);
    }

    private static void diff(Node base, Node current, Changes<Object, Object> changes) {
        if (base == current) {
            return;
        }
        if (base == null) {
            current.forEach(changes::changed);
        } else if (current == null) {
            base.forEach((key, value) -> changes.removed(key));
        } else if (base instanceof BitmapNode before && current instanceof BitmapNode after) {
            diffSlots(before, after, changes);
        } else {
            diffEntries(base::forEach, current::forEach, changes);
        }
    }

    /** Two nodes at the same depth: slots of the same hash fragment are compared pairwise. */
    private static void diffSlots(BitmapNode base, BitmapNode current, Changes<Object, Object> changes) {
        for (int bits = base.bitmap | current.bitmap; bits != 0; bits &= bits - 1) {
            int bit = bits & -bits;
            boolean inBase = (base.bitmap & bit) != 0;
            boolean inCurrent = (current.bitmap & bit) != 0;
            int b = inBase ? 2 * base.index(bit) : -1;
            int c = inCurrent ? 2 * current.index(bit) : -1;
            if (!inCurrent) {
                slotForEach(base.slots, b, (key, value) -> changes.removed(key));
            } else if (!inBase) {
                slotForEach(current.slots, c, changes::changed);
            } else if (base.slots[b] == null && current.slots[c] == null) {
                diff((Node) base.slots[b + 1], (Node) current.slots[c + 1], changes);
            } else if (base.slots[b] != null && base.slots[b].equals(current.slots[c])) {
                if (base.slots[b + 1] != current.slots[c + 1]) {
                    changes.changed(current.slots[c], current.slots[c + 1]);
                }
            } else {
                diffEntries(action -> slotForEach(base.slots, b, action), action -> slotForEach(current.slots, c, action),
                        changes);
            }
        }
    }

    private static void slotForEach(Object[] slots, int i, BiConsumer<Object, Object> action) {
        if (slots[i] == null) {
            ((Node) slots[i + 1]).forEach(action);
        } else {
            action.accept(slots[i], slots[i + 1]);
        }
    }

    /** The general case (a key against a subtree, collisions): a few entries, compared by key. */
    private static void diffEntries(Consumer<BiConsumer<Object, Object>> base,
            Consumer<BiConsumer<Object, Object>> current, Changes<Object, Object> changes) {
        Map<Object, Object> before = new HashMap<>();
        base.accept(before::put);
        current.accept((key, value) -> {
            if (before.remove(key) != value) { // values are never null: an absent key differs too
                changes.changed(key, value);
            }
        });
        before.keySet().forEach(changes::removed);
    }

    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
        return new EntryIterator<>(root);
    }

    private static int hash(Object key) {
        int h = key.hashCode();
        return h ^ (h >>> 16);
    }

    private static int fragment(int hash, int shift) {
        return (hash >>> shift) & MASK;
    }

    private interface Node {

        Object find(int shift, int hash, Object key);

        /** {@code epoch}: nodes created in it may be edited in place, see {@link PersistentHashMap#put(Object, Object, long)}. */
        Node put(int shift, int hash, Object key, Object value, boolean[] added, long epoch);

        /** This node if the key is absent, null if the node became empty. */
        Node remove(int shift, int hash, Object key);

        void forEach(BiConsumer<Object, Object> action);
    }

    /**
     * Up to 32 slots, present ones compacted by a bitmap. Slot pairs hold (key, value), or
     * (null, child node) where keys whose hashes share this fragment continue one level down.
     */
    private static final class BitmapNode implements Node {

        static final BitmapNode EMPTY = new BitmapNode(0, new Object[0], IMMUTABLE);

        final int bitmap;
        final Object[] slots;
        final long epoch;

        BitmapNode(int bitmap, Object[] slots, long epoch) {
            this.bitmap = bitmap;
            this.slots = slots;
            this.epoch = epoch;
        }

        private boolean editable(long epoch) {
            return epoch != IMMUTABLE && this.epoch == epoch;
        }

        private int index(int bit) {
            return Integer.bitCount(bitmap & (bit - 1));
        }

        @Override
        public Object find(int shift, int hash, Object key) {
            int bit = 1 << fragment(hash, shift);
            if ((bitmap & bit) == 0) {
                return NOT_FOUND;
            }
            int i = 2 * index(bit);
            Object slotKey = slots[i];
            if (slotKey == null) {
                return ((Node) slots[i + 1]).find(shift + BITS, hash, key);
            }
            return key.equals(slotKey) ? slots[i + 1] : NOT_FOUND;
        }

        @Override
        public Node put(int shift, int hash, Object key, Object value, boolean[] added, long epoch) {
            int bit = 1 << fragment(hash, shift);
            int i = 2 * index(bit);
            if ((bitmap & bit) == 0) {
                Object[] grown = new Object[slots.length + 2];
                System.arraycopy(slots, 0, grown, 0, i);
                grown[i] = key;
                grown[i + 1] = value;
                System.arraycopy(slots, i, grown, i + 2, slots.length - i);
                added[0] = true;
                return new BitmapNode(bitmap | bit, grown, epoch);
            }
            Object slotKey = slots[i];
            Object slotValue = slots[i + 1];
            if (slotKey == null) {
                Node child = (Node) slotValue;
                Node newChild = child.put(shift + BITS, hash, key, value, added, epoch);
                return newChild == child ? this : with(i + 1, newChild, epoch);
            }
            if (key.equals(slotKey)) {
                return slotValue == value ? this : with(i + 1, value, epoch);
            }
            added[0] = true;
            Node child = pair(shift + BITS, slotKey, slotValue, hash, key, value, epoch);
            Object[] copy = slots.clone();
            copy[i] = null;
            copy[i + 1] = child;
            return new BitmapNode(bitmap, copy, epoch);
        }

        @Override
        public Node remove(int shift, int hash, Object key) {
            int bit = 1 << fragment(hash, shift);
            if ((bitmap & bit) == 0) {
                return this;
            }
            int i = 2 * index(bit);
            Object slotKey = slots[i];
            if (slotKey == null) {
                Node child = (Node) slots[i + 1];
                Node newChild = child.remove(shift + BITS, hash, key);
                if (newChild == child) {
                    return this;
                }
                return newChild != null ? with(i + 1, newChild, IMMUTABLE) : without(bit, i);
            }
            return key.equals(slotKey) ? without(bit, i) : this;
        }

        @Override
        public void forEach(BiConsumer<Object, Object> action) {
            for (int i = 0; i < slots.length; i += 2) {
                if (slots[i] == null) {
                    ((Node) slots[i + 1]).forEach(action);
                } else {
                    action.accept(slots[i], slots[i + 1]);
                }
            }
        }

        /** This node with one slot changed: written in place if the node belongs to {@code epoch}. */
        private BitmapNode with(int index, Object value, long epoch) {
            if (editable(epoch)) {
                slots[index] = value;
                return this;
            }
            Object[] copy = slots.clone();
            copy[index] = value;
            return new BitmapNode(bitmap, copy, epoch);
        }

        private BitmapNode without(int bit, int i) {
            if (bitmap == bit) {
                return null;
            }
            Object[] shrunk = new Object[slots.length - 2];
            System.arraycopy(slots, 0, shrunk, 0, i);
            System.arraycopy(slots, i + 2, shrunk, i, slots.length - i - 2);
            return new BitmapNode(bitmap ^ bit, shrunk, IMMUTABLE);
        }

        private static Node pair(int shift, Object key1, Object value1, int hash2, Object key2, Object value2,
                long epoch) {
            int hash1 = hash(key1);
            if (hash1 == hash2) {
                return new CollisionNode(hash1, new Object[] { key1, value1, key2, value2 });
            }
            boolean[] ignored = new boolean[1];
            return EMPTY.put(shift, hash1, key1, value1, ignored, epoch).put(shift, hash2, key2, value2, ignored, epoch);
        }
    }

    /** Keys whose full 32-bit hashes are equal, searched linearly. */
    private static final class CollisionNode implements Node {

        final int hash;
        final Object[] pairs;

        CollisionNode(int hash, Object[] pairs) {
            this.hash = hash;
            this.pairs = pairs;
        }

        private int indexOf(Object key) {
            for (int i = 0; i < pairs.length; i += 2) {
                if (key.equals(pairs[i])) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public Object find(int shift, int hash, Object key) {
            if (hash != this.hash) {
                return NOT_FOUND;
            }
            int i = indexOf(key);
            return i < 0 ? NOT_FOUND : pairs[i + 1];
        }

        @Override
        public Node put(int shift, int hash, Object key, Object value, boolean[] added, long epoch) {
            if (hash != this.hash) {
                // Push this node one level down, under the fragment of its own hash.
                BitmapNode parent = new BitmapNode(1 << fragment(this.hash, shift), new Object[] { null, this }, epoch);
                return parent.put(shift, hash, key, value, added, epoch);
            }
            int i = indexOf(key);
            if (i >= 0) {
                if (pairs[i + 1] == value) {
                    return this;
                }
                Object[] copy = pairs.clone();
                copy[i + 1] = value;
                return new CollisionNode(hash, copy);
            }
            Object[] grown = Arrays.copyOf(pairs, pairs.length + 2);
            grown[pairs.length] = key;
            grown[pairs.length + 1] = value;
            added[0] = true;
            return new CollisionNode(hash, grown);
        }

        @Override
        public Node remove(int shift, int hash, Object key) {
            int i = hash == this.hash ? indexOf(key) : -1;
            if (i < 0) {
                return this;
            }
            if (pairs.length == 2) {
                return null;
            }
            Object[] shrunk = new Object[pairs.length - 2];
            System.arraycopy(pairs, 0, shrunk, 0, i);
            System.arraycopy(pairs, i + 2, shrunk, i, pairs.length - i - 2);
            return new CollisionNode(hash, shrunk);
        }

        @Override
        public void forEach(BiConsumer<Object, Object> action) {
            for (int i = 0; i < pairs.length; i += 2) {
                action.accept(pairs[i], pairs[i + 1]);
            }
        }
    }

    /** Depth-first walk with an explicit stack of (slots, next position). */
    private static final class EntryIterator<K, V> implements Iterator<Map.Entry<K, V>> {

        private final Deque<Object[]> arrays = new ArrayDeque<>();
        private final Deque<int[]> positions = new ArrayDeque<>();
        private Map.Entry<K, V> next;

        EntryIterator(Node root) {
            if (root != null) {
                push(root);
            }
            advance();
        }

        private void push(Node node) {
            arrays.push(node instanceof BitmapNode bitmap ? bitmap.slots : ((CollisionNode) node).pairs);
            positions.push(new int[] { 0 });
        }

        @SuppressWarnings("unchecked")
        private void advance() {
            next = null;
            while (!arrays.isEmpty()) {
                Object[] slots = arrays.peek();
                int[] position = positions.peek();
                if (position[0] >= slots.length) {
                    arrays.pop();
                    positions.pop();
                    continue;
                }
                int i = position[0];
                position[0] += 2;
                if (slots[i] == null) {
                    push((Node) slots[i + 1]);
                } else {
                    next = new SimpleImmutableEntry<>((K) slots[i], (V) slots[i + 1]);
                    return;
                }
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Map.Entry<K, V> next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            Map.Entry<K, V> result = next;
            advance();
            return result;
        }
    }
}
