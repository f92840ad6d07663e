" ML (mlpy) syntax: a line-level approximation; `mlpy lsp`'s semantic tokens refine it.
if exists('b:current_syntax')
  finish
endif

syn case match

" `//` right after an operand is floor division, elsewhere a comment (as the parser decides).
syn match mlpyComment "//.*$" contains=mlpyTodo,@Spell
syn match mlpyFloorDiv "\%([A-Za-z0-9_)\]"']\)\@1<=\s*//" contains=NONE
syn keyword mlpyTodo contained TODO FIXME XXX NOTE

syn region mlpyString start=+"+ skip=+\\.+ end=+"+ contains=mlpyEscape,@Spell
syn region mlpyString start=+'+ skip=+\\.+ end=+'+ contains=mlpyEscape,@Spell
syn match mlpyEscape contained "\\\%([ntr0\\"']\|u\x\{4}\)"

" Signed literals where an operand starts; plain numbers elsewhere.
syn match mlpyNumber "\%(^\|[=(,\[:?!&|<>+\-*/%{};]\)\@1<=\s*[-+]\%(\d\+\%(\.\d*\)\=\|\.\d\+\)\%([eE][-+]\=\d\+\)\="
syn match mlpyNumber "\%([[:alnum:]_.]\)\@1<!\%(\d\+\%(\.\d*\)\=\|\.\d\+\)\%([eE][-+]\=\d\+\)\="

" Keywords are contextual: a word after `.`, before `=` (assignment) or `:` (object key)
" is a plain name.
syn match mlpyKeyword "\.\@1<!\<\%(if\|elif\|else\|while\|for\|in\|try\|except\|finally\|return\|throw\|break\|continue\)\>\%(\s*\%(=[=>]\@!\|:\)\)\@!"
syn match mlpyFunctionKw "\.\@1<!\<function\>\%(\s*\%(=[=>]\@!\|:\)\)\@!" nextgroup=mlpyFuncName skipwhite
syn match mlpyFuncName contained "\<[A-Za-z_][A-Za-z0-9_]*\>"
syn match mlpyArrow "\.\@1<!\<fn\>"
syn match mlpyArrow "=>"
syn match mlpyImport "\.\@1<!\<import\>\%(\s*=[=>]\@!\)\@!" nextgroup=mlpyModule,mlpyUrl skipwhite
syn match mlpyUrl contained "\<[A-Za-z][A-Za-z0-9+.\-]*://[^[:space:];{}\"']\+"
syn match mlpyModule contained "\<[A-Za-z_][A-Za-z0-9_]*\%(\.[A-Za-z_][A-Za-z0-9_]*\)*\>"
syn match mlpyImport "\.\@1<!\<as\>\ze\s\+[A-Za-z_]"
syn match mlpyStorage "\.\@1<!\<\%(nonlocal\|capability\)\>\%(\s*\%(=[=>]\@!\|:\)\)\@!"
syn match mlpyBoolean "\.\@1<!\<\%(true\|false\)\>"
syn match mlpyNull "\.\@1<!\<\%(null\|undefined\)\>\%(\s*\%(=[=>]\@!\|:\)\)\@!"
syn match mlpyCall "\.\@1<!\<[A-Za-z_][A-Za-z0-9_]*\ze\s*("
syn match mlpyMember "\.\@1<=[A-Za-z_][A-Za-z0-9_]*"
syn match mlpyConstant "\.\@1<!\<[A-Z][A-Z0-9_]*\>"

hi def link mlpyComment Comment
hi def link mlpyTodo Todo
hi def link mlpyFloorDiv Operator
hi def link mlpyString String
hi def link mlpyEscape SpecialChar
hi def link mlpyNumber Number
hi def link mlpyKeyword Keyword
hi def link mlpyFunctionKw Keyword
hi def link mlpyFuncName Function
hi def link mlpyArrow Keyword
hi def link mlpyImport Include
hi def link mlpyModule Identifier
hi def link mlpyUrl Underlined
hi def link mlpyStorage StorageClass
hi def link mlpyBoolean Boolean
hi def link mlpyNull Constant
hi def link mlpyCall Function
hi def link mlpyMember Identifier
hi def link mlpyConstant Constant

let b:current_syntax = 'mlpy'
