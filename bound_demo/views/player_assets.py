"""The CSS and JavaScript of the static player, kept as strings so the package
needs no data files. The script defines one global, ``BoundDemoPlayer``, once per
page, and mounts each player by id; running it twice (mkdocs-material's instant
navigation re-runs inline scripts) is harmless.

Colours come from custom properties (palette.theme_css), so one player follows the
page between light and dark. The frame's changed cells fade in briefly after each
step (a CSS animation, none under prefers-reduced-motion); nothing changes size, so
the page does not move.
"""
from .palette import theme_css

_BASE = """
.bd-player{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;border:1px solid var(--bd-ui-border);border-radius:6px;padding:8px;margin:1em 0;background:var(--bd-ui-bg);color:var(--bd-ui-fg);outline:none}
.bd-player:focus-visible,.bd-player button:focus-visible,.bd-player .bd-slider:focus-visible,.bd-player summary:focus-visible,.bd-player .bd-rust:focus-visible{outline:3px solid var(--bd-ui-focus);outline-offset:2px}
.bd-player .bd-title{font-weight:600;margin-bottom:4px}
.bd-player .bd-controls{display:flex;flex-wrap:wrap;gap:4px;align-items:center;margin-bottom:6px}
.bd-player button{font:inherit;min-width:2.4em;padding:2px 8px;border:1px solid var(--bd-ui-border);border-radius:4px;background:var(--bd-ui-button-bg);color:var(--bd-ui-fg);cursor:pointer}
.bd-player button:hover{filter:brightness(0.95)}
.bd-player button[aria-pressed=true]{background:var(--bd-ui-line-bg);color:var(--bd-ui-line-fg)}
.bd-player .bd-slider{flex:1 1 160px;min-width:120px;accent-color:var(--bd-ui-focus)}
.bd-player .bd-counter{font-variant-numeric:tabular-nums;min-width:6em;text-align:right}
.bd-player .bd-panes{display:flex;flex-wrap:wrap;gap:10px}
.bd-player .bd-pane{flex:1 1 480px;min-width:0}
.bd-player .bd-release{font-weight:600;color:var(--bd-ui-release)}
.bd-player .bd-caption{min-height:2.8em;margin:2px 0 4px}
.bd-player .bd-notes{color:var(--bd-ui-notes);font-size:90%}
.bd-player .bd-rust{font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;background:var(--bd-ui-code-bg);color:var(--bd-ui-fg);border:1px solid var(--bd-ui-border);border-radius:4px;margin:4px 0;padding:4px 0;max-height:12em;overflow:auto;white-space:pre}
.bd-player .bd-rust .bd-line{display:block;padding:0 6px 0 1.6em}
.bd-player .bd-rust .bd-line.bd-current{background:var(--bd-ui-line-bg);color:var(--bd-ui-line-fg);font-weight:600;padding-left:6px}
.bd-player .bd-rust .bd-line.bd-current::before{content:"\\25B6  "}
.bd-player .bd-frame{overflow:auto}
.bd-player .bd-frame svg{width:100%;height:auto;display:block}
.bd-player .bd-frame svg text{font-family:Helvetica,Arial,sans-serif}
.bd-player .bd-alt{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
.bd-player .bd-legend{margin-top:6px;font-size:13px}
.bd-player .bd-legend summary{cursor:pointer;font-weight:600}
.bd-player .bd-legend ul{list-style:none;margin:4px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:2px 18px}
.bd-player .bd-legend li{display:flex;gap:6px;align-items:center}
.bd-player .bd-legend .bd-glyph{font-weight:700;min-width:2.6em}
.bd-player .bd-legend .bd-swatch{display:inline-block;width:2.6em;height:1em;border:1px solid var(--bd-rule)}
.bd-player .bd-svg [fill="#f0e442"]{animation:bd-changed .28s ease-out}
@keyframes bd-changed{from{opacity:.35}to{opacity:1}}
@media (prefers-reduced-motion: reduce){.bd-player *{animation:none!important;transition:none!important}}
"""

CSS = theme_css(".bd-player") + "\n" + _BASE

JS = r"""
(function(){
if(!window.BoundDemoPlayer){window.BoundDemoPlayer={mount:function(root,data){
  if(!root||root.getAttribute("data-bd-ready"))return;
  root.setAttribute("data-bd-ready","1");
  var n=data.timeline.length,cur=0,timer=null;
  var slider=root.querySelector(".bd-slider"),counter=root.querySelector(".bd-counter");
  var playBtn=root.querySelector('[data-bd-action="play"]');
  var panes=[].slice.call(root.querySelectorAll(".bd-pane")).map(function(el){
    return {frame:el.querySelector(".bd-frame"),caption:el.querySelector(".bd-caption"),
      notes:el.querySelector(".bd-notes"),alt:el.querySelector(".bd-alt"),box:el.querySelector(".bd-rust"),
      rows:el.querySelectorAll(".bd-rust .bd-line"),label:el.querySelector(".bd-release").textContent||"frame",
      shown:-1,row:-2,header:-1,bg:null,nodes:{}}});
  function frame(ids){var s="";for(var i=0;i<ids.length;i++)s+=data.parts[ids[i]];return s+"</g></svg>"}
  // A frame is its header part (the <svg> and the graph's background) and its groups. The
  // layout is stable, so consecutive frames share most groups: each pane parses a group once
  // and re-uses its element, and a step only re-parents elements instead of parsing a
  // whole SVG. A new header (another canvas) falls back to parsing the frame.
  function part(el,id){
    var n=el.nodes[id];
    if(!n){var box=document.createElement("div");
      box.innerHTML='<svg xmlns="http://www.w3.org/2000/svg">'+data.parts[id]+"</svg>";
      n=el.nodes[id]=[].slice.call(box.firstChild.childNodes)}
    return n;
  }
  // Groups not parsed yet are parsed in one go (one element each, as Graphviz writes them);
  // any surprise falls back to one parse per group.
  function warm(el,ids){
    var miss=[],seen={};
    for(var i=1;i<ids.length;i++)if(!el.nodes[ids[i]]&&!seen[ids[i]]){seen[ids[i]]=1;miss.push(ids[i])}
    if(!miss.length)return;
    var box=document.createElement("div");
    box.innerHTML='<svg xmlns="http://www.w3.org/2000/svg">'+miss.map(function(m){return data.parts[m]}).join("")+"</svg>";
    var c=box.firstChild.childNodes;
    if(c.length===miss.length)for(var k=miss.length-1;k>=0;k--)el.nodes[miss[k]]=[c[k]];
  }
  // After a step, the next frame's new groups are parsed while the page is idle, so the
  // next step mostly re-parents ready elements.
  var idle=window.requestIdleCallback||function(f){return setTimeout(f,50)};
  function ahead(el,pane,s){
    if(s+1<pane.frames.length)idle(function(){warm(el,pane.frames[s+1])});
  }
  function show(el,ids){
    var g=el.frame.querySelector("svg > g");
    if(el.header!==ids[0]||!g){
      el.frame.innerHTML=frame(ids);el.header=ids[0];g=el.frame.querySelector("svg > g");el.bg=g.firstChild;
      // One parse of the whole frame also fills the cache, when each group is one element.
      var c=g.childNodes;if(c.length===ids.length)for(var k=1;k<ids.length;k++)if(!el.nodes[ids[k]])el.nodes[ids[k]]=[c[k]];
      return}
    // A group that occurs twice in one frame is cloned: an element has one place.
    warm(el,ids);
    var kids=[el.bg],used={};
    for(var i=1;i<ids.length;i++){var ns=part(el,ids[i]);
      for(var j=0;j<ns.length;j++)kids.push(used[ids[i]]?ns[j].cloneNode(true):ns[j]);used[ids[i]]=1}
    g.replaceChildren.apply(g,kids);
  }
  function mark(p,r){
    if(p.row===r)return;
    var old=p.rows[p.row];if(old){old.classList.remove("bd-current");old.removeAttribute("data-bd-line-current")}
    var on=p.rows[r];p.row=r;if(!on)return;
    on.classList.add("bd-current");on.setAttribute("data-bd-line-current","");
    // Scrolling the listing needs layout: it waits for the next frame, so a step's handler
    // never forces a synchronous layout of the new picture.
    if(p.raf)cancelAnimationFrame(p.raf);
    p.raf=requestAnimationFrame(function(){p.raf=0;
      var box=p.box,top=on.offsetTop-box.offsetTop;
      if(top<box.scrollTop||top>box.scrollTop+box.clientHeight-20)box.scrollTop=Math.max(0,top-box.clientHeight/2)});
  }
  function render(){
    root.setAttribute("data-bd-step",String(cur));
    slider.value=String(cur);
    counter.textContent="step "+(cur+1)+" / "+n;
    panes.forEach(function(el,p){
      var pane=data.panes[p],s=data.timeline[cur][p];
      if(el.shown!==s){show(el,pane.frames[s]);el.shown=s;
        var svg=el.frame.firstChild;
        svg.setAttribute("role","img");svg.setAttribute("aria-label",el.label+": step "+(s+1));
        svg.setAttribute("aria-describedby",el.alt.id);
        el.alt.textContent=pane.alts[s];
        ahead(el,pane,s);
      }
      el.caption.textContent=pane.captions[s];
      el.notes.textContent=pane.notes[s]||"";
      if(el.row===-2){for(var r=0;r<el.rows.length;r++)if(el.rows[r].classList.contains("bd-current"))el.row=r}
      mark(el,pane.rows[s]);
    });
  }
  function go(i){cur=Math.max(0,Math.min(n-1,i));render()}
  function stop(){if(timer){clearInterval(timer);timer=null}playBtn.setAttribute("aria-pressed","false");playBtn.textContent="\u25B6 play"}
  function play(){
    if(timer){stop();return}
    if(cur>=n-1)go(0);
    playBtn.setAttribute("aria-pressed","true");playBtn.textContent="\u275A\u275A pause";
    timer=setInterval(function(){if(!root.isConnected){stop();return}go(cur+1);if(cur>=n-1)stop()},data.interval||900);
  }
  var acts={first:function(){stop();go(0)},prev:function(){stop();go(cur-1)},next:function(){stop();go(cur+1)},last:function(){stop();go(n-1)},play:play};
  root.addEventListener("click",function(e){var b=e.target.closest("[data-bd-action]");if(b&&root.contains(b)){acts[b.getAttribute("data-bd-action")]();if(e.detail>0)root.focus({preventScroll:true})}});
  slider.addEventListener("input",function(){stop();go(parseInt(slider.value,10))});
  root.addEventListener("keydown",function(e){
    if(e.target===slider||e.altKey||e.ctrlKey||e.metaKey)return;
    if(e.target.closest&&e.target.closest("button,summary")&&(e.key===" "||e.key==="Enter"))return;
    var k={ArrowLeft:"prev",ArrowRight:"next",Home:"first",End:"last"}[e.key];
    if(k){e.preventDefault();acts[k]()}
  });
  render();
}}}
})();
"""
