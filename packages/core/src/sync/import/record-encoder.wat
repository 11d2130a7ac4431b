;; Source of record-encoder-wasm.ts (regenerate it with `node scripts/build-wasm.mjs`;
;; record-encoder.test.ts checks the two agree). See record-encoder.ts for the layout
;; of the memory and why this loop is WebAssembly.
(module
  ;; [0, 64 KiB) the leaf page; [64 KiB, 80 KiB) cell lengths (i32 per column);
  ;; [80 KiB, 84 KiB) not-null flags (a byte per column); [128 KiB, 2176 KiB) the block.
  (memory (export "memory") 34 34)

  ;; One CSV line data[pos, end) with `w` fields cut at `delim`, all TEXT, as a SQLite
  ;; record ending at page offset `top`: cell bytes copied back to front, then the
  ;; header of serial types before them. Returns where the record starts, or -1 for a
  ;; line with another number of fields or an empty cell in a NOT NULL column (what
  ;; scratch-fast.ts's inOrderRecords does, byte for byte).
  (func (export "encode") (param $pos i32) (param $end i32) (param $top i32) (param $delim i32) (param $w i32) (result i32)
    (local $i i32) (local $o i32) (local $f i32) (local $cellEnd i32) (local $b i32)
    (local $c i32) (local $n i32) (local $t i32) (local $serials i32) (local $header i32)
    local.get $top
    local.tee $o
    local.set $cellEnd
    local.get $w
    i32.const 1
    i32.sub
    local.set $f
    local.get $end
    local.set $i
    block $bytesDone
      loop $bytes
        local.get $i
        local.get $pos
        i32.le_u
        br_if $bytesDone
        local.get $i
        i32.const 1
        i32.sub
        local.tee $i
        i32.load8_u
        local.tee $b
        local.get $delim
        i32.eq
        if
          local.get $f
          i32.eqz
          if
            i32.const -1
            return
          end
          local.get $f
          i32.const 2
          i32.shl
          i32.const 65536
          i32.add
          local.get $cellEnd
          local.get $o
          i32.sub
          i32.store
          local.get $f
          i32.const 1
          i32.sub
          local.set $f
          local.get $o
          local.set $cellEnd
        else
          local.get $o
          i32.const 1
          i32.sub
          local.tee $o
          local.get $b
          i32.store8
        end
        br $bytes
      end
    end
    local.get $f
    if
      i32.const -1
      return
    end
    i32.const 65536
    local.get $cellEnd
    local.get $o
    i32.sub
    i32.store
    ;; Serial types, last column first: 0 (NULL) for an empty cell, else 2n+13 as a varint.
    local.get $w
    local.set $c
    block $headerDone
      loop $header
        local.get $c
        i32.eqz
        br_if $headerDone
        local.get $c
        i32.const 1
        i32.sub
        local.tee $c
        i32.const 2
        i32.shl
        i32.const 65536
        i32.add
        i32.load
        local.tee $n
        i32.eqz
        if
          local.get $c
          i32.const 81920
          i32.add
          i32.load8_u
          if
            i32.const -1
            return
          end
          local.get $o
          i32.const 1
          i32.sub
          local.tee $o
          i32.const 0
          i32.store8
          local.get $serials
          i32.const 1
          i32.add
          local.set $serials
        else
          local.get $n
          i32.const 1
          i32.shl
          i32.const 13
          i32.add
          local.tee $t
          i32.const 128
          i32.lt_u
          if
            local.get $o
            i32.const 1
            i32.sub
            local.tee $o
            local.get $t
            i32.store8
            local.get $serials
            i32.const 1
            i32.add
            local.set $serials
          else
            local.get $o
            i32.const 1
            i32.sub
            local.tee $o
            local.get $t
            i32.const 127
            i32.and
            i32.store8
            local.get $t
            i32.const 16384
            i32.lt_u
            if
              local.get $o
              i32.const 1
              i32.sub
              local.tee $o
              local.get $t
              i32.const 7
              i32.shr_u
              i32.const 128
              i32.or
              i32.store8
              local.get $serials
              i32.const 2
              i32.add
              local.set $serials
            else
              local.get $o
              i32.const 1
              i32.sub
              local.tee $o
              local.get $t
              i32.const 7
              i32.shr_u
              i32.const 127
              i32.and
              i32.const 128
              i32.or
              i32.store8
              local.get $o
              i32.const 1
              i32.sub
              local.tee $o
              local.get $t
              i32.const 14
              i32.shr_u
              i32.const 128
              i32.or
              i32.store8
              local.get $serials
              i32.const 3
              i32.add
              local.set $serials
            end
          end
        end
        br $header
      end
    end
    ;; The header's own size (it counts itself) in front.
    local.get $serials
    i32.const 127
    i32.lt_u
    if (result i32)
      local.get $serials
      i32.const 1
      i32.add
    else
      local.get $serials
      i32.const 2
      i32.add
    end
    local.tee $header
    i32.const 128
    i32.lt_u
    if
      local.get $o
      i32.const 1
      i32.sub
      local.tee $o
      local.get $header
      i32.store8
    else
      local.get $o
      i32.const 1
      i32.sub
      local.tee $o
      local.get $header
      i32.const 127
      i32.and
      i32.store8
      local.get $o
      i32.const 1
      i32.sub
      local.tee $o
      local.get $header
      i32.const 7
      i32.shr_u
      i32.const 128
      i32.or
      i32.store8
    end
    local.get $o)
)
