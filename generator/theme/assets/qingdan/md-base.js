// Material's page helpers (partials/javascripts/base.html), for the pages generated from the lists:
// one file instead of 330 bytes inline in each of 10,000+ pages. Deferred and loaded before
// Material's bundle, which is their only user on those pages. The scope is the site root, found
// from this file's own address (assets/qingdan/ is two levels down) as the inline copy finds it
// from the page's.
__md_scope=new URL("../..",document.currentScript.src),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}
