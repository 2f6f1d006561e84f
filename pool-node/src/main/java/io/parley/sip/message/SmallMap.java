package io.parley.sip.message;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, insertion-ordered String map for the 0–5 parameters a SIP header usually has: two
 * parallel arrays and a linear search, much cheaper to build than a LinkedHashMap.
 */
final class SmallMap extends AbstractMap<String, String> {
  private final String[] keys;
  private final String[] values;
  private final int size;

  private SmallMap(String[] keys, String[] values, int size) {
    this.keys = keys;
    this.values = values;
    this.size = size;
  }

  /** Collects entries; {@link #put} refuses a duplicate key by returning false. */
  static final class Builder {
    private String[] keys = new String[4];
    private String[] values = new String[4];
    private int size;

    boolean put(String key, String value) {
      for (int i = 0; i < size; i++) if (keys[i].equals(key)) return false;
      if (size == keys.length) {
        keys = java.util.Arrays.copyOf(keys, size * 2);
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      keys[size] = key;
      values[size] = value;
      size++;
      return true;
    }

    java.util.Map<String, String> build() {
      return size == 0 ? java.util.Map.of() : new SmallMap(keys, values, size);
    }
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public @Nullable String get(@Nullable Object key) {
    int i = indexOf(key);
    return i < 0 ? null : values[i];
  }

  private int indexOf(@Nullable Object key) {
    for (int i = 0; i < size; i++) if (keys[i].equals(key)) return i;
    return -1;
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Entry<String, String> next() {
            if (next >= size) throw new NoSuchElementException();
            int i = next++;
            return new SimpleImmutableEntry<>(keys[i], values[i]);
          }
        };
      }
    };
  }
}
