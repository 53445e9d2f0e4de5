# The `lib` the offline option check (nix/options-check.nix) hands to the hub's modules instead of
# nixpkgs' lib, which cannot be fetched everywhere. Builtins only.
#
# The module-system functions build the same marker attribute sets as nixpkgs' lib/modules.nix
# (mkIf -> { _type = "if"; condition; content; } and so on) without forcing their conditions, so
# the checker can walk every definition whatever the condition would be. Option types carry the
# type description nixpkgs would print (lib/types.nix, release-25.11), which is also what the
# manifest records, so the hub's own options and nixpkgs' are checked by one parser
# (internal/nixoptions). The other functions are the pure helpers the modules use, written here with
# nixpkgs' semantics; internal/nixoptions' tests fail when a module uses a lib.X this file lacks.
let
  inherit (builtins) concatStringsSep stringLength substring isString isInt isBool typeOf;

  # nixpkgs' lib.types.optionDescriptionPhrase: parenthesise a nested type's description unless
  # its class reads well unbracketed.
  phrase = unparenthesize: t:
    if unparenthesize (t.descriptionClass or null) then t.description else "(${t.description})";
  nounOrComposite = c: c == "noun" || c == "composite";
  nounOrConjunction = c: c == "noun" || c == "conjunction";

  mkType = name: description: descriptionClass: extra:
    { _type = "optionType"; inherit name description descriptionClass; } // extra;

  showEnum = v:
    if isString v then ''"${v}"''
    else if isInt v then toString v
    else if isBool v then (if v then "true" else "false")
    else "<${typeOf v}>";

  betweenDesc = lo: hi: "${toString lo} and ${toString hi} (both inclusive)";
  between = lo: hi: mkType "intBetween" "integer between ${betweenDesc lo hi}" null { };
  unsign = bit: hi: mkType "unsignedInt${toString bit}"
    "${toString bit} bit unsigned integer; between ${betweenDesc 0 hi}" null { };

  either = a: b: mkType "either"
    "${phrase nounOrConjunction a} or ${phrase (c: c == "noun" || c == "conjunction" || c == "composite") b}"
    "conjunction" { _hubAlternatives = [ a b ]; };

  # A submodule keeps its options so the checker can record the hub's nested options
  # (hub.features.ai-providers.providers.<name>.baseUrl) as nixpkgs' documentation does.
  submodule = m:
    let
      mod = if builtins.isFunction m then m { name = "<name>"; config = { }; inherit lib; } else m;
      free = mod.freeformType or null;
    in
    mkType "submodule"
      (if free == null then "submodule" else "open submodule of ${phrase nounOrComposite free}")
      null
      { _hubSubOptions = mod.options or { }; };

  types = rec {
    str = mkType "str" "string" "noun" { };
    nonEmptyStr = mkType "nonEmptyStr" "non-empty string" "noun" { };
    lines = mkType "lines" ''strings concatenated with "\n"'' "noun" { };
    bool = mkType "bool" "boolean" "noun" { };
    int = mkType "int" "signed integer" "noun" { };
    float = mkType "float" "floating point number" "noun" { };
    path = mkType "path" "path" "noun" { };
    package = mkType "package" "package" "noun" { };
    attrs = mkType "attrs" "attribute set" "noun" { };
    anything = mkType "anything" "anything" null { };
    unspecified = mkType "unspecified" "unspecified value" null { };
    raw = mkType "raw" "raw value" null { };
    port = ints.u16;
    ints = {
      inherit between;
      u8 = unsign 8 255;
      u16 = unsign 16 65535;
      u32 = unsign 32 4294967295;
      positive = mkType "positiveInt" "positive integer, meaning >0" "nonRestrictiveClause" { };
      unsigned = mkType "unsignedInt" "unsigned integer, meaning >=0" "nonRestrictiveClause" { };
    };
    listOf = t: mkType "listOf" "list of ${phrase nounOrComposite t}" "composite" { _hubElem = t; };
    attrsOf = t: mkType "attrsOf" "attribute set of ${phrase nounOrComposite t}" "composite" { _hubElem = t; };
    lazyAttrsOf = t: mkType "lazyAttrsOf" "lazy attribute set of ${phrase nounOrComposite t}" "composite" { _hubElem = t; };
    nullOr = t: mkType "nullOr" "null or ${phrase nounOrConjunction t}" "conjunction" { _hubElem = t; };
    inherit either;
    oneOf = ts: builtins.foldl' either (builtins.head ts) (builtins.tail ts);
    enum = vs: mkType "enum"
      (if builtins.length vs == 1 then "value ${showEnum (builtins.head vs)} (singular enum)"
      else "one of ${concatStringsSep ", " (map showEnum vs)}")
      (if builtins.length vs < 2 then "noun" else "conjunction")
      { };
    inherit submodule;
    functionTo = t: mkType "functionTo" "function that evaluates to a(n) ${phrase nounOrComposite t}" "composite" { };
  };

  hasPrefix = pre: s: substring 0 (stringLength pre) s == pre;
  hasSuffix = suf: s:
    let n = stringLength s; m = stringLength suf;
    in n >= m && substring (n - m) m s == suf;
  hasInfix = inf: s:
    let
      n = stringLength s;
      m = stringLength inf;
      at = i: i + m <= n && (substring i m s == inf || at (i + 1));
    in
    at 0;
  getName = x:
    if isString x then (builtins.parseDrvName x).name
    else x.pname or (builtins.parseDrvName x.name).name;
  escapeShellArg = arg:
    let s = toString arg;
    in if builtins.match "[[:alnum:],._+:@%/-]+" s != null then s
    else "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";
  nameValuePair = name: value: { inherit name value; };
  mapAttrsToList = f: attrs: map (n: f n attrs.${n}) (builtins.attrNames attrs);

  lower = [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
  upper = [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];
  escapeRegex = builtins.replaceStrings
    [ "\\" "[" "]" "{" "}" "(" ")" "." "*" "+" "?" "^" "$" "|" ]
    [ "\\\\" "\\[" "\\]" "\\{" "\\}" "\\(" "\\)" "\\." "\\*" "\\+" "\\?" "\\^" "\\$" "\\|" ];
  recursiveUpdate = a: b:
    a // builtins.mapAttrs
      (n: v: if builtins.isAttrs v && builtins.isAttrs (a.${n} or null) then recursiveUpdate a.${n} v else v)
      b;

  mkOverride = priority: content: { _type = "override"; inherit priority content; };
  mkOrder = priority: content: { _type = "order"; inherit priority content; };
  mkOption = attrs: attrs // { _type = "option"; };

  lib = {
    inherit types mkOption mkOverride mkOrder;
    mkIf = condition: content: { _type = "if"; inherit condition content; };
    mkMerge = contents: { _type = "merge"; inherit contents; };
    mkDefault = mkOverride 1000;
    mkForce = mkOverride 50;
    mkBefore = mkOrder 500;
    mkAfter = mkOrder 1500;
    mkEnableOption = name: mkOption {
      type = types.bool;
      default = false;
      example = true;
      description = "Whether to enable ${name}.";
    };
    # The default stays a lazy selection from pkgs, which is a throw offline.
    mkPackageOption = pkgs: name: extra:
      let attrPath = if builtins.isList name then name else [ name ];
      in mkOption {
        type = types.package;
        default = builtins.foldl' (set: n: set.${n}) pkgs (extra.default or attrPath);
        description = "The ${concatStringsSep "." attrPath} package to use.";
      };
    literalExpression = text: { _type = "literalExpression"; inherit text; };
    literalMD = text: { _type = "literalMD"; inherit text; };

    inherit hasPrefix hasSuffix hasInfix getName escapeShellArg nameValuePair mapAttrsToList;
    genAttrs = names: f: builtins.listToAttrs (map (n: nameValuePair n (f n)) names);
    optional = cond: x: if cond then [ x ] else [ ];
    optionals = cond: xs: if cond then xs else [ ];
    optionalAttrs = cond: attrs: if cond then attrs else { };
    optionalString = cond: s: if cond then s else "";
    mapAttrs = builtins.mapAttrs;
    mapAttrs' = f: attrs: builtins.listToAttrs (mapAttrsToList f attrs);
    filterAttrs = pred: attrs:
      builtins.listToAttrs (builtins.concatMap (n: if pred n attrs.${n} then [ (nameValuePair n attrs.${n}) ] else [ ])
        (builtins.attrNames attrs));
    listToAttrs = builtins.listToAttrs;
    attrNames = builtins.attrNames;
    concatMap = builtins.concatMap;
    concatStringsSep = builtins.concatStringsSep;
    concatMapStringsSep = sep: f: l: concatStringsSep sep (map f l);
    elem = builtins.elem;
    all = builtins.all;
    any = builtins.any;
    filter = builtins.filter;
    foldl' = builtins.foldl';
    head = builtins.head;
    last = l: builtins.elemAt l (builtins.length l - 1);
    length = builtins.length;
    concatLists = builtins.concatLists;
    attrValues = builtins.attrValues;
    hasAttr = builtins.hasAttr;
    isString = builtins.isString;
    boolToString = b: if b then "true" else "false";
    toLower = s: builtins.replaceStrings upper lower s;
    toUpper = s: builtins.replaceStrings lower upper s;
    splitString = sep: s: builtins.filter builtins.isString (builtins.split (escapeRegex sep) s);
    inherit recursiveUpdate;
    unique = builtins.foldl' (acc: e: if builtins.elem e acc then acc else acc ++ [ e ]) [ ];
    removePrefix = pre: s:
      if hasPrefix pre s then substring (stringLength pre) (stringLength s - stringLength pre) s else s;
    removeSuffix = suf: s:
      if hasSuffix suf s then substring 0 (stringLength s - stringLength suf) s else s;
    getExe = x: "${x}/bin/${x.meta.mainProgram or (getName x)}";
    getExe' = x: bin: "${x}/bin/${bin}";
    escapeShellArgs = l: concatStringsSep " " (map escapeShellArg l);
  };
in
lib
