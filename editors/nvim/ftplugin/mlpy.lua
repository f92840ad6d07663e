-- ML buffers: `//` comments, C-like indentation of braces.
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = true

vim.bo.commentstring = '// %s'
vim.bo.comments = '://'
vim.bo.cindent = true
vim.bo.cinoptions = 'j1,J1,(s,m1'
vim.bo.shiftwidth = 4
vim.bo.expandtab = true
vim.bo.suffixesadd = '.ml'
vim.opt_local.formatoptions:remove('t')
vim.opt_local.formatoptions:append('croql')

vim.b.undo_ftplugin = 'setlocal commentstring< comments< cindent< cinoptions< shiftwidth< expandtab< suffixesadd< formatoptions<'
