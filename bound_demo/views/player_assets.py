"""The CSS and JavaScript of the static player, kept as strings so the package
needs no data files. The script defines one global, ``BoundDemoPlayer``, once per
page, and mounts each player by id; running it twice (mkdocs-material's instant
navigation re-runs inline scripts) is harmless.
"""

CSS = """
.bd-player{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;border:1px solid #bbb;border-radius:6px;padding:8px;margin:1em 0;background:#fff;color:#111;outline:none}
.bd-player:focus-visible{box-shadow:0 0 0 3px #56B4E9}
.bd-player .bd-title{font-weight:600;margin-bottom:4px}
.bd-player .bd-controls{display:flex;flex-wrap:wrap;gap:4px;align-items:center;margin-bottom:6px}
.bd-player button{font:inherit;min-width:2.4em;padding:2px 8px;border:1px solid #888;border-radius:4px;background:#f4f4f4;color:#111;cursor:pointer}
.bd-player button:hover{background:#e6e6e6}
.bd-player button[aria-pressed=true]{background:#F0E442}
.bd-player .bd-slider{flex:1 1 160px;min-width:120px}
.bd-player .bd-counter{font-variant-numeric:tabular-nums;min-width:6em;text-align:right}
.bd-player .bd-panes{display:flex;flex-wrap:wrap;gap:10px}
.bd-player .bd-pane{flex:1 1 420px;min-width:0}
.bd-player .bd-release{font-weight:600;color:#0072B2}
.bd-player .bd-caption{min-height:2.8em;margin:2px 0 4px}
.bd-player .bd-notes{color:#D55E00;font-size:90%}
.bd-player .bd-rust{font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;background:#f7f7f7;border:1px solid #ddd;border-radius:4px;margin:4px 0;padding:4px 0;max-height:12em;overflow:auto;white-space:pre}
.bd-player .bd-rust .bd-line{display:block;padding:0 6px}
.bd-player .bd-rust .bd-line.bd-current{background:#F0E442;font-weight:600}
.bd-player .bd-rust .bd-line.bd-current::before{content:"\\25B6  "}
.bd-player .bd-frame{overflow:auto}
.bd-player .bd-frame svg{width:100%;height:auto;max-height:75vh;display:block}
.bd-player .bd-frame svg text{font-family:Helvetica,Arial,sans-serif}
"""

JS = r"""
(function(){
if(!window.BoundDemoPlayer){window.BoundDemoPlayer={mount:function(root,data){
  if(!root||root.getAttribute("data-bd-ready"))return;
  root.setAttribute("data-bd-ready","1");
  var n=data.timeline.length,cur=0,timer=null;
  var slider=root.querySelector(".bd-slider"),counter=root.querySelector(".bd-counter");
  var playBtn=root.querySelector('[data-bd-action="play"]');
  var panes=[].slice.call(root.querySelectorAll(".bd-pane"));
  var shown=panes.map(function(){return -1});
  function frame(ids){var s="";for(var i=0;i<ids.length;i++)s+=data.parts[ids[i]];return s+"</g></svg>"}
  function render(){
    root.setAttribute("data-bd-step",String(cur));
    slider.value=String(cur);
    counter.textContent="step "+(cur+1)+" / "+n;
    panes.forEach(function(el,p){
      var pane=data.panes[p],s=data.timeline[cur][p];
      if(shown[p]!==s){el.querySelector(".bd-frame").innerHTML=frame(pane.frames[s]);shown[p]=s}
      el.querySelector(".bd-caption").textContent=pane.captions[s];
      el.querySelector(".bd-notes").textContent=pane.notes[s]||"";
      var rows=el.querySelectorAll(".bd-rust .bd-line"),box=el.querySelector(".bd-rust");
      for(var r=0;r<rows.length;r++){
        var on=(r===pane.rows[s]);rows[r].classList.toggle("bd-current",on);
        if(on&&box){var top=rows[r].offsetTop-box.offsetTop;if(top<box.scrollTop||top>box.scrollTop+box.clientHeight-20)box.scrollTop=Math.max(0,top-box.clientHeight/2)}
      }
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
  root.addEventListener("click",function(e){var b=e.target.closest("[data-bd-action]");if(b&&root.contains(b)){acts[b.getAttribute("data-bd-action")]();root.focus({preventScroll:true})}});
  slider.addEventListener("input",function(){stop();go(parseInt(slider.value,10))});
  root.addEventListener("keydown",function(e){
    if(e.target===slider||e.altKey||e.ctrlKey||e.metaKey)return;
    var k={ArrowLeft:"prev",ArrowRight:"next",Home:"first",End:"last"}[e.key];
    if(k){e.preventDefault();acts[k]()}
  });
  render();
}}}
})();
"""
